namespace Autograd.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between two values within a phase (PyTorch's <c>anneal_strategy</c>).</summary>
public enum AnnealStrategy
{
    /// <summary>Half a cosine: <c>end + (start − end)/2 · (1 + cos(π·pct))</c> (<c>"cos"</c>).</summary>
    Cos,

    /// <summary>A straight line: <c>start + (end − start)·pct</c> (<c>"linear"</c>).</summary>
    Linear,
}
