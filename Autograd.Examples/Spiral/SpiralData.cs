namespace Autograd.Examples.Spiral;

/// <summary>
/// The classic 3-class spiral of CS231n: <c>K</c> arms of <c>N</c> points each, radius growing from 0
/// to 1 along each arm, angle jittered with Gaussian noise (σ = 0.2). The noise is the SplitMix64 normal
/// stream with seed 7, exactly as <c>spiral()</c> in <c>Autograd.Benchmarks/Peers/workloads.py</c>, so PyTorch sees
/// the same points.
/// </summary>
public sealed class SpiralData
{
    private SpiralData(float[] points, int[] labels, int classes)
    {
        Points = points;
        Labels = labels;
        Classes = classes;
    }

    /// <summary>The points, row-major [count, 2]: x then y.</summary>
    public float[] Points { get; }

    /// <summary>The arm (class) of each point.</summary>
    public int[] Labels { get; }

    /// <summary>Number of classes (arms).</summary>
    public int Classes { get; }

    /// <summary>Number of points.</summary>
    public int Count => Labels.Length;

    /// <summary>The points as a tensor [count, 2].</summary>
    public Tensor ToTensor() => Tensor.FromArray(Points, Count, 2);

    /// <summary>Generates <paramref name="perClass"/> points on each of <paramref name="classes"/> arms.</summary>
    public static SpiralData Generate(int perClass = 100, int classes = 3, ulong seed = 7)
    {
        var count = perClass * classes;
        var noise = new SplitMix64(seed);
        var points = new float[count * 2];
        var labels = new int[count];
        for (var j = 0; j < classes; j++)
        {
            for (var i = 0; i < perClass; i++)
            {
                var row = j * perClass + i;
                var radius = i / (double)(perClass - 1);
                var angle = j * 4.0 + i * (4.0 / (perClass - 1)) + 0.2 * noise.NextNormal();
                points[2 * row] = (float)(radius * Math.Sin(angle));
                points[2 * row + 1] = (float)(radius * Math.Cos(angle));
                labels[row] = j;
            }
        }

        return new SpiralData(points, labels, classes);
    }
}
