namespace Autograd.Tests.Perf;

/// <summary>
/// Apps built in this repository get the runtime option that the package's buildTransitive targets give consumers
/// (Autograd/buildTransitive/Autograd.targets, imported by Directory.Build.targets): call counting for tier-1
/// compilation starts at once, so a process started on one CPU does not run its kernels as tier-0 code for seconds.
/// </summary>
public class TieringOptionTests
{
    [Test]
    public void TheTestProcess_StartsCallCountingAtOnce()
    {
        object? delay = AppContext.GetData("System.Runtime.TieredCompilation.CallCountingDelayMs");
        Assert.That(delay?.ToString(), Is.EqualTo("0"),
            "Directory.Build.targets should import Autograd/buildTransitive/Autograd.targets into every project");
    }
}
