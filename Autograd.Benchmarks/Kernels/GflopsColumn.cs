using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Autograd.Benchmarks.Kernels;

/// <summary>A benchmark parameter that knows how many floating-point operations one invocation performs.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations per benchmark invocation (2·m·n·k for a GEMM).</summary>
    double Flops { get; }
}

/// <summary>
/// GFLOP/s = flops per invocation / mean time, for benchmarks with an <see cref="IFlopCount"/>
/// parameter (flops per nanosecond is GFLOP/s).
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Floating-point operations per second, 1e9 (2·m·n·k / Mean)";

    public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        var flops = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IFlopCount>().FirstOrDefault();
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return flops is null || mean is not > 0 ? null : flops.Flops / mean.Value;
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        Gflops(summary, benchmarkCase) is { } value ? value.ToString("F1") : "-";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
