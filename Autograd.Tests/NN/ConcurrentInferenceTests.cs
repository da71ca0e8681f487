using Autograd.NN;

namespace Autograd.Tests.NN;

/// <summary>One model used for inference from several threads at once gives, on every thread, what it gives on one.</summary>
public class ConcurrentInferenceTests
{
    private sealed class Block : Module
    {
        private readonly Linear _input;
        private readonly BatchNorm1d _norm;
        private readonly Dropout _dropout;
        private readonly MultiheadAttention _attention;
        private readonly LayerNorm _layerNorm;

        public Block()
        {
            _input = RegisterModule("input", new Linear(6, 8, seed: 1));
            _norm = RegisterModule("norm", new BatchNorm1d(8));
            _dropout = RegisterModule("dropout", new Dropout(0.3, seed: 2));
            _attention = RegisterModule("attention", new MultiheadAttention(8, 2, seed: 3));
            _layerNorm = RegisterModule("layer_norm", new LayerNorm([8]));
        }

        // x [N, L, 6] -> [N, L, 8]
        public override Tensor Forward(Tensor input)
        {
            var shape = input.Shape;
            var h = _input.Forward(input.Reshape(-1, 6));
            h = _dropout.Forward(_norm.Forward(h).Relu()).Reshape(shape[0], shape[1], 8);
            return _layerNorm.Forward(h + _attention.Forward(h, h, h, isCausal: true));
        }
    }

    private static Block TrainedBlock()
    {
        var block = new Block();
        block.Train();
        for (int step = 0; step < 3; step++)
        {
            block.Forward(Tensor.Randn([4, 5, 6], seed: 100 + step));   // moves BatchNorm's running statistics off 0 and 1
        }

        return block;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void EvalModel_FromSixThreadsAtOnce_GivesTheSequentialResults(bool noGrad)
    {
        var block = TrainedBlock();
        block.Eval();
        var inputs = Enumerable.Range(0, 24).Select(i => Tensor.Randn([2, 5, 6], seed: i)).ToArray();
        var expected = inputs.Select(x => block.Forward(x).ToArray<float>()).ToArray();
        var state = block.StateDict().ToDictionary(p => p.Key, p => p.Value.To(DType.Float64).ToArray<double>());
        var actual = new float[inputs.Length][];

        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
        {
            for (int repeat = 0; repeat < 5; repeat++)
            {
                using var scope = noGrad ? Tape.NoGrad() : null;
                actual[i] = block.Forward(inputs[i]).ToArray<float>();
            }
        });

        Assert.That(actual, Is.EqualTo(expected), "every thread's output, bit for bit");
        Assert.That(block.StateDict().ToDictionary(p => p.Key, p => p.Value.To(DType.Float64).ToArray<double>()), Is.EqualTo(state), "inference changed no state");
    }

    [Test]
    public void EvalModel_BackwardOnSeveralThreadsAtOnce_GivesEachThreadItsInputGradient()
    {
        var block = TrainedBlock();
        block.Eval();
        foreach (var parameter in block.Parameters())
        {
            parameter.RequiresGrad = false;   // gradients w.r.t. the inputs only: nothing shared is written
        }

        Tensor Gradient(int i)
        {
            var x = Tensor.Randn([2, 5, 6], seed: 50 + i);
            x.RequiresGrad = true;
            block.Forward(x).Square().Sum().Backward();
            return x.Grad!;
        }

        var expected = Enumerable.Range(0, 12).Select(i => Gradient(i).ToArray<float>()).ToArray();
        var actual = new float[12][];

        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = Gradient(i).ToArray<float>());

        Assert.That(actual, Is.EqualTo(expected));
    }
}
