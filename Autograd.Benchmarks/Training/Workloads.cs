using System.Globalization;
using System.Numerics.Tensors;

namespace Autograd.Benchmarks.Training;

/// <summary>
/// One training workload of <c>Autograd.Benchmarks/Peers/workloads.py</c>: parameters, a loss closure and plain SGD.
/// A step is what PyTorch's script times: zero_grad(set_to_none), forward, loss, backward, SGD update.
/// </summary>
public sealed class Workload
{
    private readonly Func<Tensor> _loss;
    private readonly Tensor[] _parameters;
    private readonly float _learningRate;

    internal Workload(string id, string name, Tensor[] parameters, float learningRate, Func<Tensor> loss)
    {
        Id = id;
        Name = name;
        _parameters = parameters;
        _learningRate = learningRate;
        _loss = loss;
    }

    /// <summary>W1..W4, as in workloads.py.</summary>
    public string Id { get; }

    /// <summary>The workload's name in workloads.py's RESULT lines (seed-tiny, mnist-mlp, ...).</summary>
    public string Name { get; }

    /// <summary>A line about the data that workloads.py also prints (the spiral's checksum), or null.</summary>
    public string? Note { get; init; }

    /// <summary>The loss of the last step.</summary>
    public Tensor? LastLoss { get; private set; }

    /// <summary>One training step.</summary>
    public void Step()
    {
        foreach (Tensor parameter in _parameters)
        {
            parameter.ZeroGrad();
        }

        Tensor loss = _loss();
        loss.Backward();
        using (Tape.NoGrad())
        {
            // p ← p − lr·∇p, in place (and the version bumped), as torch.optim.SGD without momentum. Straight on the
            // spans, as before the engine redesign, so that before/after figures time the same update.
            foreach (Tensor parameter in _parameters)
            {
                Span<float> values = parameter.Span<float>();
                TensorPrimitives.MultiplyAdd(parameter.Grad!.Span<float>(), -_learningRate, values, values);
                parameter.BumpVersion();
            }
        }

        LastLoss = loss;
    }
}

/// <summary>Builds W1..W4 exactly as workloads.py does: same data streams, architectures, losses and rates.</summary>
public static class Workloads
{
    /// <summary>The workload ids, in workloads.py's order.</summary>
    public static readonly string[] Ids = ["W1", "W2", "W3", "W4", "W5", "W6"];

    /// <summary>Builds the workload with <paramref name="id"/> (W1..W4, case-insensitive).</summary>
    public static Workload Create(string id) => id.ToUpperInvariant() switch
    {
        "W1" => SeedTiny(),
        "W2" => Mlp("W2", "mnist-mlp", batch: 64, [784, 256, 128, 10], learningRate: 0.01f, seed: 2),
        "W3" => Mlp("W3", "wide-mlp", batch: 256, [1024, 4096, 4096, 10], learningRate: 0.01f, seed: 3),
        "W4" => Spiral(),
        "W5" => Cnn(batch: 64, learningRate: 0.01f, seed: 5),
        "W6" => TransformerBlock(batch: 16, length: 128, width: 128, heads: 4, learningRate: 0.01f, seed: 6),
        _ => throw new ArgumentException($"Unknown workload '{id}'; expected one of {string.Join(", ", Ids)}."),
    };

    /// <summary>W1: the seed network 2 → 3 → 2 → 1 (ReLU, ReLU, sigmoid), batch 2, binary cross-entropy, lr 0.1.</summary>
    private static Workload SeedTiny()
    {
        Tensor x = Tensor.FromArray(new float[] { 0, 1, 1, 0 }, 2, 2);
        Tensor y = Tensor.FromArray(new float[] { 1, 0 }, 2, 1);
        Layer[] layers = Layers([2, 3, 2, 1], seed: 1);
        return new Workload("W1", "seed-tiny", Parameters(layers), 0.1f, () =>
        {
            Tensor h = Forward(layers, x);
            return Loss.BinaryCrossEntropy(h.Sigmoid(), y);
        });
    }

    /// <summary>W2, W3: an MLP with ReLU between layers, softmax cross-entropy on normal inputs and uniform labels.</summary>
    private static Workload Mlp(string id, string name, int batch, int[] sizes, float learningRate, int seed)
    {
        Tensor x = Tensor.Randn([batch, sizes[0]], seed);
        int[] labels = Labels(seed + 100, batch, sizes[^1]);
        Layer[] layers = Layers(sizes, seed);
        return new Workload(id, name, Parameters(layers), learningRate, () => Loss.CrossEntropy(Forward(layers, x), labels));
    }

    /// <summary>W4: the 3-class spiral (300 points), 2 → 100 → 3, cross-entropy plus ½·10⁻³·‖W‖² per weight, lr 1.</summary>
    private static Workload Spiral()
    {
        const int PerClass = 100, Classes = 3;
        const double Regularisation = 1e-3;
        Tensor noise = Tensor.Randn([PerClass * Classes], 7, DType.Float64);
        double[] n = noise.ToArray<double>();
        float[] xs = new float[PerClass * Classes * 2];
        int[] ys = new int[PerClass * Classes];
        for (int j = 0; j < Classes; j++)
        {
            for (int i = 0; i < PerClass; i++)
            {
                int row = (j * PerClass) + i;
                double r = i / (double)(PerClass - 1);
                double t = (j * 4.0) + (i * (4.0 / (PerClass - 1))) + (0.2 * n[row]);
                xs[2 * row] = (float)(r * Math.Sin(t));
                xs[(2 * row) + 1] = (float)(r * Math.Cos(t));
                ys[row] = j;
            }
        }

        Tensor x = Tensor.FromArray(xs, PerClass * Classes, 2);
        Layer[] layers = Layers([2, 100, Classes], seed: 4);
        Tensor w1 = layers[0].Weight, w2 = layers[1].Weight;
        double checksum = xs.Sum(v => (double)v);
        return new Workload("W4", "spiral", Parameters(layers), 1.0f, () =>
            Loss.CrossEntropy(Forward(layers, x), ys)
            + ((w1 * w1).Sum() * (0.5 * Regularisation))
            + ((w2 * w2).Sum() * (0.5 * Regularisation)))
        {
            // workloads.py prints the same line: equal checksums mean equal data.
            Note = string.Create(CultureInfo.InvariantCulture, $"spiral checksum {checksum:F6}"),
        };
    }

    /// <summary>W5: the fashion-mnist-cnn example's network without its dropout, batch 64 of 1×28×28, cross-entropy.</summary>
    private static Workload Cnn(int batch, float learningRate, int seed)
    {
        Tensor x = Tensor.Randn([batch, 1, 28, 28], seed);
        int[] labels = Labels(seed + 100, batch, 10);
        var model = new NN.Sequential(
            new NN.Conv2d(1, 32, 3, padding: 1), new NN.BatchNorm2d(32), new NN.ReLU(), new NN.MaxPool2d(2),
            new NN.Conv2d(32, 64, 3, padding: 1), new NN.BatchNorm2d(64), new NN.ReLU(), new NN.MaxPool2d(2),
            new NN.Flatten(), new NN.Linear(64 * 7 * 7, 10));
        SetWeights(model, seed);
        return new Workload("W5", "cnn", [.. model.Parameters()], learningRate, () => Loss.CrossEntropy(model.Forward(x), labels));
    }

    /// <summary>W6: one pre-norm transformer block (causal attention, 4× GELU MLP) regressed onto normal targets.</summary>
    private static Workload TransformerBlock(int batch, int length, int width, int heads, float learningRate, int seed)
    {
        Tensor x = Tensor.Randn([batch, length, width], seed);
        Tensor target = Tensor.Randn([batch, length, width], seed + 100);
        var block = new Block(width, heads);
        SetWeights(block, seed);
        return new Workload("W6", "transformer-block", [.. block.Parameters()], learningRate, () => Loss.Mse(block.Forward(x), target));
    }

    /// <summary>workloads.py's Block, with its parameter order (ln1, attn, ln2, fc1, fc2).</summary>
    private sealed class Block : NN.Module
    {
        private readonly NN.LayerNorm _norm1, _norm2;
        private readonly NN.MultiheadAttention _attention;
        private readonly NN.Linear _up, _down;

        public Block(int width, int heads)
        {
            _norm1 = RegisterModule("ln1", new NN.LayerNorm([width]));
            _attention = RegisterModule("attn", new NN.MultiheadAttention(width, heads));
            _norm2 = RegisterModule("ln2", new NN.LayerNorm([width]));
            _up = RegisterModule("fc1", new NN.Linear(width, 4 * width));
            _down = RegisterModule("fc2", new NN.Linear(4 * width, width));
        }

        public override Tensor Forward(Tensor input)
        {
            Tensor h = _norm1.Forward(input);
            Tensor x = input + _attention.Forward(h, h, h, isCausal: true);
            return x + _down.Forward(_up.Forward(_norm2.Forward(x)).Gelu());
        }
    }

    /// <summary>
    /// workloads.py's set_weights: parameter i (in NamedParameters order, which is PyTorch's) of rank ≥ 2 is
    /// U(−b, b), b = 1/√fan_in, from uniforms(seed·1000 + i); biases 0; norm weights 1.
    /// </summary>
    private static void SetWeights(NN.Module model, int seed)
    {
        int i = 0;
        foreach (var (name, parameter) in model.NamedParameters())
        {
            using (Tape.NoGrad())
            {
                if (parameter.Rank >= 2)
                {
                    double bound = 1 / Math.Sqrt(parameter.Count / parameter.Shape[0]);
                    parameter.CopyFrom(Tensor.Rand(parameter.Shape, (seed * 1000) + i, -bound, bound));
                }
                else
                {
                    parameter.Fill(name.EndsWith("bias", StringComparison.Ordinal) ? 0 : 1);
                }
            }

            i++;
        }
    }

    private readonly record struct Layer(Tensor Weight, Tensor Bias);

    /// <summary>Linear layers, ReLU between them (not after the last).</summary>
    private static Tensor Forward(Layer[] layers, Tensor x)
    {
        Tensor h = x;
        for (int i = 0; i < layers.Length; i++)
        {
            if (i > 0)
            {
                h = h.Relu();
            }

            h = Functional.Linear(h, layers[i].Weight, layers[i].Bias);
        }

        return h;
    }

    /// <summary>
    /// Linear layers with PyTorch's default init shape: weight and bias uniform in ±1/√fan_in (Kaiming-uniform with
    /// a = √5), drawn from SplitMix64 streams derived from <paramref name="seed"/> (not torch's generator).
    /// </summary>
    private static Layer[] Layers(int[] sizes, int seed)
    {
        var layers = new Layer[sizes.Length - 1];
        for (int i = 0; i < layers.Length; i++)
        {
            int fanIn = sizes[i], fanOut = sizes[i + 1];
            double bound = 1 / Math.Sqrt(fanIn);
            int layerSeed = (seed * 1000) + (2 * i);
            Tensor weight = Tensor.Rand([fanOut, fanIn], layerSeed, -bound, bound);
            Tensor bias = Tensor.Rand([fanOut], layerSeed + 1, -bound, bound);
            weight.RequiresGrad = true;
            bias.RequiresGrad = true;
            layers[i] = new Layer(weight, bias);
        }

        return layers;
    }

    private static Tensor[] Parameters(Layer[] layers) => [.. layers.SelectMany(l => new[] { l.Weight, l.Bias })];

    /// <summary>workloads.py's labels(seed, count, classes): ⌊uniform · classes⌋.</summary>
    private static int[] Labels(int seed, int count, int classes)
    {
        var random = new SplitMix64(unchecked((ulong)seed));
        int[] labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.NextInt(classes);
        }

        return labels;
    }
}
