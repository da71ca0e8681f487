using Autograd.NN;
using Autograd.Tests.Ops.Normalization;
using Autograd.Tests.TestSupport;

namespace Autograd.Tests.NN;

/// <summary>
/// The LayerNorm, BatchNorm1d and BatchNorm2d modules: PyTorch's parameters, buffers and state-dict names, train/eval
/// behaviour, running statistics over several steps (momentum and cumulative average), errors naming the layout.
/// </summary>
public class NormalizationModuleTests
{
    [Test]
    public void LayerNorm_HasAWeightOfOnesAndABiasOfZeros_ShapedLikeTheNormalizedShape()
    {
        var layer = new LayerNorm([3, 4]);
        Assert.That(layer.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.Weight!.Shape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(layer.Weight.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(layer.Bias!.ToArray<float>(), Is.All.EqualTo(0f));
        Assert.That(layer.NormalizedShape, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(new LayerNorm(6).Weight!.Shape, Is.EqualTo(new[] { 6 }));
        Assert.That(new LayerNorm(6, dtype: DType.Float64).Bias!.DType, Is.EqualTo(DType.Float64));
        Assert.That(new LayerNorm(6, elementwiseAffine: false).Parameters(), Is.Empty);
        Assert.That(new LayerNorm(6, bias: false).StateDict().Keys, Is.EqualTo(new[] { "weight" }));
        Assert.That(new LayerNorm(6).ToString(), Is.EqualTo("LayerNorm((6,), eps=1E-05, elementwise_affine=True)"));
    }

    [Test]
    public void LayerNorm_Forward_IsTheFunctionalOp_InTrainingAndEvaluationMode()
    {
        var layer = new LayerNorm(4, eps: 1e-3, dtype: DType.Float64);
        using (Tape.NoGrad())
        {
            layer.Weight!.CopyFrom(Tensor.FromArray(new[] { 1.0, -2, 0.5, 3 }, 4));
            layer.Bias!.CopyFrom(Tensor.FromArray(new[] { 0.1, 0.2, 0.3, 0.4 }, 4));
        }

        Tensor x = Tensor.Randn([2, 3, 4], 1, DType.Float64);
        double[] expected = LayerNormTests.Reference(x.ToArray<double>(), 4, layer.Weight!.ToArray<double>(),
            layer.Bias!.ToArray<double>(), 1e-3);
        GradAssert.Values(layer.Forward(x), expected, 1e-12);
        layer.Eval();
        GradAssert.Values(layer.Forward(x), expected, 1e-12);
    }

    [Test]
    public void LayerNorm_GradCheck_ThroughTheModule()
    {
        var layer = new LayerNorm([2, 3], dtype: DType.Float64);
        using (Tape.NoGrad())
        {
            layer.Weight!.CopyFrom(Tensor.Randn([2, 3], 1, DType.Float64));
            layer.Bias!.CopyFrom(Tensor.Randn([2, 3], 2, DType.Float64));
        }

        GradAssert.GradCheck(v => layer.Forward(v[0]), [Inputs.Normal(3, 2, 2, 3)]);
    }

    [Test]
    public void LayerNorm_Errors()
    {
        var error = Assert.Throws<ArgumentException>(() => new LayerNorm([]));
        Assert.That(error!.Message, Does.StartWith("LayerNorm: normalizedShape must be one or more positive sizes; got []."));
        Assert.Throws<ArgumentException>(() => new LayerNorm([3, 0]));
        error = Assert.Throws<ArgumentException>(() => new LayerNorm(6).Forward(Tensor.Zeros([2, 5, 7])));
        Assert.That(error!.Message, Is.EqualTo("LayerNorm: input [2,5,7] does not end with normalizedShape [6]."));
    }

    [Test]
    public void BatchNorm2d_StateDict_HasPyTorchsNamesShapesDTypesAndInitialValues()
    {
        var layer = new BatchNorm2d(3);
        Assert.That(layer.StateDict().Keys,
            Is.EqualTo(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }));
        Assert.That(layer.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(layer.NamedBuffers().Select(p => p.Name), Is.EqualTo(new[] { "running_mean", "running_var", "num_batches_tracked" }));
        Assert.That(layer.Weight!.ToArray<float>(), Is.EqualTo(new[] { 1f, 1f, 1f }));
        Assert.That(layer.Bias!.ToArray<float>(), Is.EqualTo(new[] { 0f, 0f, 0f }));
        Assert.That(layer.RunningMean!.ToArray<float>(), Is.EqualTo(new[] { 0f, 0f, 0f }));
        Assert.That(layer.RunningVar!.ToArray<float>(), Is.EqualTo(new[] { 1f, 1f, 1f }));
        Assert.That(layer.NumBatchesTracked!.DType, Is.EqualTo(DType.Int64));
        Assert.That(layer.NumBatchesTracked.Shape, Is.Empty);
        Assert.That(layer.NumBatchesTracked.Item(), Is.EqualTo(0));
        Assert.That(layer.Buffers().All(b => !b.RequiresGrad), Is.True);
        Assert.That(new BatchNorm2d(3, dtype: DType.Float64).RunningVar!.DType, Is.EqualTo(DType.Float64));
        Assert.That(layer.ToString(), Is.EqualTo("BatchNorm2d(3, eps=1E-05, momentum=0.1, affine=True, track_running_stats=True)"));
        Assert.That(new BatchNorm1d(4, momentum: null).ToString(), Does.Contain("momentum=None"));
    }

    [Test]
    public void BatchNorm_WithoutAffineOrRunningStatistics_HasNoSuchState()
    {
        Assert.That(new BatchNorm1d(3, affine: false).StateDict().Keys,
            Is.EqualTo(new[] { "running_mean", "running_var", "num_batches_tracked" }));
        var untracked = new BatchNorm2d(3, trackRunningStats: false);
        Assert.That(untracked.StateDict().Keys, Is.EqualTo(new[] { "weight", "bias" }));
        Assert.That(untracked.Buffers(), Is.Empty);
        Assert.That(untracked.RunningMean, Is.Null);
    }

    [TestCase(0.1)]
    [TestCase(0.5)]
    [TestCase(null)]
    public void BatchNorm2d_Training_MovesTheRunningStatistics_StepByStep(double? momentum)
    {
        int[] shape = [2, 3, 2, 3];
        var layer = new BatchNorm2d(3, momentum: momentum, dtype: DType.Float64);
        double[] mean = new double[3], variance = [1, 1, 1];
        for (int step = 1; step <= 4; step++)
        {
            Tensor x = (Tensor.Randn(shape, step, DType.Float64) * step) + step;
            var (batchMean, batchVar) = BatchNormTests.Statistics(x.ToArray<double>(), shape);
            GradAssert.Values(layer.Forward(x), BatchNormTests.Normalise(x.ToArray<double>(), shape, batchMean, batchVar, null, null), 1e-12);

            double factor = momentum ?? 1.0 / step;   // None: the cumulative average of every batch so far
            double m = x.Count / 3;
            for (int c = 0; c < 3; c++)
            {
                mean[c] = ((1 - factor) * mean[c]) + (factor * batchMean[c]);
                variance[c] = ((1 - factor) * variance[c]) + (factor * batchVar[c] * m / (m - 1));
            }

            GradAssert.Values(layer.RunningMean!, mean, 1e-14, $"running_mean after step {step}");
            GradAssert.Values(layer.RunningVar!, variance, 1e-13, $"running_var after step {step}");
            Assert.That(layer.NumBatchesTracked!.Item(), Is.EqualTo(step));
        }
    }

    [Test]
    public void BatchNorm_Evaluation_AfterTraining_UsesTheRunningStatistics_AndCountsNoBatch()
    {
        var layer = new BatchNorm1d(4, dtype: DType.Float64);
        using (Tape.NoGrad())
        {
            layer.Weight!.CopyFrom(Tensor.FromArray(new[] { 1.0, 2, -1, 0.5 }, 4));
            layer.Bias!.CopyFrom(Tensor.FromArray(new[] { 0.0, 1, 2, 3 }, 4));
        }

        for (int step = 0; step < 3; step++)
        {
            layer.Forward((Tensor.Randn([8, 4, 3], step, DType.Float64) * 2) + 1);
        }

        layer.Eval();
        double[] runningMean = layer.RunningMean!.ToArray<double>(), runningVar = layer.RunningVar!.ToArray<double>();
        Tensor x = Tensor.Randn([5, 4, 3], 9, DType.Float64);
        Tensor y = layer.Forward(x);
        GradAssert.Values(y, BatchNormTests.Normalise(x.ToArray<double>(), [5, 4, 3], runningMean, runningVar,
            layer.Weight!.ToArray<double>(), layer.Bias!.ToArray<double>()), 1e-12);
        Assert.That(layer.NumBatchesTracked!.Item(), Is.EqualTo(3));
        Assert.That(layer.RunningMean!.ToArray<double>(), Is.EqualTo(runningMean), "evaluation leaves the running statistics alone");

        // A single sample is fine in evaluation mode.
        Assert.That(layer.Forward(Tensor.Randn([1, 4], 1, DType.Float64)).Shape, Is.EqualTo(new[] { 1, 4 }));
    }

    [Test]
    public void BatchNorm_WithoutRunningStatistics_NormalisesWithTheBatchInEvaluationToo()
    {
        var layer = new BatchNorm1d(3, trackRunningStats: false, dtype: DType.Float64);
        layer.Eval();
        Tensor x = Tensor.Randn([6, 3], 2, DType.Float64);
        var (mean, variance) = BatchNormTests.Statistics(x.ToArray<double>(), [6, 3]);
        GradAssert.Values(layer.Forward(x), BatchNormTests.Normalise(x.ToArray<double>(), [6, 3], mean, variance, null, null), 1e-12);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void BatchNorm2d_GradCheck_ThroughTheModule(bool training)
    {
        var layer = new BatchNorm2d(2, dtype: DType.Float64);
        using (Tape.NoGrad())
        {
            layer.Weight!.CopyFrom(Tensor.Randn([2], 1, DType.Float64));
            layer.Bias!.CopyFrom(Tensor.Randn([2], 2, DType.Float64));
            layer.RunningMean!.CopyFrom(Tensor.Randn([2], 3, DType.Float64));
        }

        layer.Train(training);
        GradAssert.GradCheck(v => layer.Forward(v[0]), [Inputs.Normal(4, 3, 2, 2, 2)]);
    }

    [Test]
    public void BatchNorm_Backward_ReachesWeightAndBias()
    {
        var layer = new BatchNorm1d(3);
        Tensor x = Tensor.Randn([4, 3], 1);
        Tensor loss = (layer.Forward(x) * Tensor.Randn([4, 3], 2)).Sum();
        loss.Backward();
        Assert.That(layer.Weight!.Grad, Is.Not.Null);
        Assert.That(layer.Bias!.Grad, Is.Not.Null);
        Assert.That(layer.Bias.Grad!.Shape, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void BatchNorm_LoadStateDict_RoundTripsTheRunningStatisticsAndTheCounter()
    {
        var trained = new BatchNorm2d(2);
        trained.Forward(Tensor.Randn([3, 2, 2, 2], 1));
        trained.Forward(Tensor.Randn([3, 2, 2, 2], 2));
        var copy = new BatchNorm2d(2);
        copy.LoadStateDict(trained.StateDict());
        Assert.That(copy.RunningMean!.ToArray<float>(), Is.EqualTo(trained.RunningMean!.ToArray<float>()));
        Assert.That(copy.RunningVar!.ToArray<float>(), Is.EqualTo(trained.RunningVar!.ToArray<float>()));
        Assert.That(copy.NumBatchesTracked!.Item(), Is.EqualTo(2));
    }

    [Test]
    public void BatchNorm_Errors_NameTheExpectedLayout()
    {
        var error = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros([3, 28, 28])));
        Assert.That(error!.Message, Does.StartWith("BatchNorm2d: input must be [N,C,H,W]; got [3,28,28]."));
        error = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([2, 3, 4, 4])));
        Assert.That(error!.Message, Does.StartWith("BatchNorm1d: input must be [N,C] or [N,C,L]; got [2,3,4,4]."));
        error = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros([2, 4, 5, 5])));
        Assert.That(error!.Message, Does.StartWith(
            "BatchNorm2d: input [2,4,5,5] has 4 channels (axis 1 of [N,C,H,W]); the layer was built for num_features 3."));
        error = Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([1, 3])));
        Assert.That(error!.Message, Does.Contain("expected more than 1 value per channel when training; got input [1,3]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm1d(0));
    }
}
