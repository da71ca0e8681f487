namespace Autograd.Examples.Common;

/// <summary>A command-line mistake; <c>Program</c> prints the message and exits with <see cref="ExitCodes.Usage"/>.</summary>
public sealed class UsageException(string message) : Exception(message);
