namespace Autograd.Examples.Common;

/// <summary>Process exit codes shared by every example, so scripts can tell failures apart.</summary>
public static class ExitCodes
{
    /// <summary>The example ran and met its target.</summary>
    public const int Success = 0;

    /// <summary>Training finished but the accuracy is below the required minimum.</summary>
    public const int BelowMinimumAccuracy = 1;

    /// <summary>Unknown example or option, or an option value that does not parse.</summary>
    public const int Usage = 2;

    /// <summary>The data set is not installed (or not where <c>--data</c> points).</summary>
    public const int DataMissing = 3;

    /// <summary>A data or weights file exists but is malformed.</summary>
    public const int InvalidData = 4;
}
