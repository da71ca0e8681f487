using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;

namespace Autograd;

/// <summary>
/// Thrown inside <see cref="Tape.DetectAnomaly"/> by the first op that produced a NaN from NaN-free inputs, in its
/// forward pass or in its VJP. The message names the op, the direction, the shapes and where the op was called.
/// </summary>
public class AnomalyException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="opName">The op that produced the NaN.</param>
    /// <param name="inBackward">True when its VJP produced it, false for its forward pass.</param>
    /// <param name="callSite">"File.cs:42" of the code that called the op, when known.</param>
    /// <param name="message">The full message.</param>
    public AnomalyException(string opName, bool inBackward, string? callSite, string message)
        : base(message)
    {
        OpName = opName;
        InBackward = inBackward;
        CallSite = callSite;
    }

    /// <summary>The op's name, as in the tape (e.g. "Log", "Divide").</summary>
    public string OpName { get; }

    /// <summary>True when the NaN came out of the op's VJP; false for its forward pass.</summary>
    public bool InBackward { get; }

    /// <summary>"File.cs:42" of the code that called the op (for backward: where it was recorded); null when the
    /// source location is unknown (no debug symbols).</summary>
    public string? CallSite { get; }
}

/// <summary>NaN checks and call-site capture for <see cref="Tape.DetectAnomaly"/>; nothing here runs outside the scope.</summary>
internal static class Anomaly
{
    private static readonly string _libraryAssembly = typeof(Anomaly).Assembly.GetName().Name!;

    /// <summary>"File.cs:42" of the innermost stack frame outside this library, or null without debug symbols.</summary>
    public static string? CallSite()
    {
        var trace = new StackTrace(1, fNeedFileInfo: true);
        foreach (StackFrame frame in trace.GetFrames())
        {
            // DiagnosticMethodInfo, unlike StackFrame.GetMethod(), needs no reflection metadata: safe when trimmed or AOT.
            var assembly = DiagnosticMethodInfo.Create(frame)?.DeclaringAssemblyName;
            if (assembly is not null && new AssemblyName(assembly).Name == _libraryAssembly)
            {
                continue;
            }

            string? file = frame.GetFileName();
            return file is null ? null : $"{Path.GetFileName(file)}:{frame.GetFileLineNumber()}";
        }

        return null;
    }

    /// <summary>True when a floating-point tensor holds a NaN.</summary>
    public static bool HasNaN(Tensor? x)
    {
        if (x is null || !DTypeDispatch.IsFloatingPoint(x.DType))
        {
            return false;   // Int64 and Bool hold no NaN
        }

        var finder = new NaNFinder(x);
        DTypeDispatch.Float(x.DType, ref finder);
        return finder.Result;
    }

    /// <summary>Throws when the forward output of <paramref name="op"/> has a NaN that none of its inputs had.</summary>
    public static void CheckForward(string op, Tensor output, ReadOnlySpan<Tensor> inputs)
    {
        if (!HasNaN(output))
        {
            return;
        }

        foreach (Tensor input in inputs)
        {
            if (HasNaN(input))
            {
                return;
            }
        }

        string? site = CallSite();
        throw new AnomalyException(op, inBackward: false, site,
            $"Anomaly: {op} produced a NaN in its forward pass (output {ShapeText.Format(output.ShapeSpan)} {output.DType}) "
            + $"from inputs without NaN ({Shapes(inputs)}), called at {site ?? "an unknown location (no debug symbols)"}.");
    }

    /// <summary>Throws when a VJP returned a NaN; the caller has checked that the incoming gradient had none.</summary>
    public static void CheckBackward(TapeEntry entry, Tensor gradOutput, ReadOnlySpan<Tensor?> inputGrads)
    {
        for (int i = 0; i < inputGrads.Length; i++)
        {
            if (HasNaN(inputGrads[i]))
            {
                throw new AnomalyException(entry.Name, inBackward: true, entry.CallSite,
                    $"Anomaly: {entry.Name} returned a NaN in its backward pass (the gradient of input {i}, "
                    + $"{ShapeText.Format(inputGrads[i]!.ShapeSpan)}) from a NaN-free gradient "
                    + $"{ShapeText.Format(gradOutput.ShapeSpan)}; the op was recorded at "
                    + $"{entry.CallSite ?? "an unknown location (no debug symbols)"}.");
            }
        }
    }

    private static string Shapes(ReadOnlySpan<Tensor> inputs)
    {
        var parts = new List<string>();
        foreach (Tensor input in inputs)
        {
            parts.Add($"{ShapeText.Format(input.ShapeSpan)} {input.DType}");
        }

        return string.Join(", ", parts);
    }

    private struct NaNFinder(Tensor x) : IFloatAction
    {
        public bool Result;

        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Result = x.Count > 0 && T.IsNaN(TensorPrimitives.Sum<T>(x.Span<T>())) && ContainsNaN(x.Span<T>());

        private static bool ContainsNaN<T>(ReadOnlySpan<T> values)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            foreach (T value in values)
            {
                if (T.IsNaN(value))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
