namespace Autograd.Optim;

/// <summary>Range checks of hyper-parameters, with PyTorch's wording and the offending value.</summary>
internal static class HyperParameter
{
    /// <summary>Returns <paramref name="value"/>, or throws unless it is ≥ 0 (NaN fails).</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The argument or property name the exception reports.</param>
    /// <param name="description">What it is, for the message ("learning rate", "momentum value", ...).</param>
    /// <returns><paramref name="value"/>.</returns>
    public static double NonNegative(double value, string name, string description)
    {
        if (!(value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {description}: {value}; it must be >= 0.");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/>, or throws unless it is in [0, 1) (Adam's betas).</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The argument or property name the exception reports.</param>
    /// <returns><paramref name="value"/>.</returns>
    public static double Beta(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name} parameter: {value}; it must be in [0, 1).");
        }

        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is ≥ 1 (periods, step counts).</summary>
    /// <param name="value">The value to check.</param>
    /// <param name="name">The argument name the exception reports.</param>
    /// <returns><paramref name="value"/>.</returns>
    public static int Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Expected a positive integer {name}, but got {value}.");
        }

        return value;
    }
}
