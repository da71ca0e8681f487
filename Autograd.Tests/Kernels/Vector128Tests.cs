using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Autograd.Tests.Kernels;

/// <summary>
/// The kernels with explicit vector paths, run with 128-bit vectors only: a child process of the test assembly with
/// <c>DOTNET_EnableAVX=0</c> (as on a machine without AVX2, or an AOT build without an instruction-set flag) runs
/// <see cref="Vector128Check"/>. The child is started with the hardware intrinsics on even when this suite runs with
/// them off, so the 128-bit paths are checked in every CI pass.
/// </summary>
public class Vector128Tests
{
    [Test]
    public void KernelsWith128BitVectors_MatchScalarReferences()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Assert.Ignore("DOTNET_EnableAVX applies to x64 only.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", typeof(Vector128Tests).Assembly.Location, "vector128-check" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("DOTNET_EnableHWIntrinsic");
        start.Environment["DOTNET_EnableAVX"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the child did not end within 120 s: {stdout.Result}{stderr.Result}");
        }

        string output = stdout.Result + stderr.Result;
        Assert.That(process.ExitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("Vector<float>.Count = 4"));
        Assert.That(output, Does.Contain(" 0 failures"));
    }
}
