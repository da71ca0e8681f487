using Autograd.NN;

namespace Autograd.Tests.NN;

/// <summary>Module buffers: registered state that is saved and loaded but never trained, in PyTorch's state-dict order.</summary>
public class BufferTests
{
    /// <summary>A parameter, a persistent Float32 buffer, an Int64 counter and a non-persistent scratch buffer.</summary>
    private sealed class Counted : Module
    {
        public Counted()
        {
            Weight = RegisterParameter("weight", Tensor.Ones([2]));
            Running = RegisterBuffer("running_mean", Tensor.Zeros([2]));
            Steps = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0, DType.Int64));
            Scratch = RegisterBuffer("scratch", Tensor.Zeros([3]), persistent: false);
        }

        public Tensor Weight { get; }

        public Tensor Running { get; }

        public Tensor Steps { get; }

        public Tensor Scratch { get; }

        public override Tensor Forward(Tensor input) => input * Weight + Running;
    }

    private sealed class Outer : Module
    {
        public Outer()
        {
            First = RegisterModule("first", new Counted());
            Bias = RegisterParameter("bias", Tensor.Zeros([2]));
            Second = RegisterModule("second", new Counted());
        }

        public Counted First { get; }

        public Tensor Bias { get; }

        public Counted Second { get; }

        public override Tensor Forward(Tensor input) => Second.Forward(First.Forward(input)) + Bias;
    }

    [Test]
    public void StateDict_FollowsPyTorchsOrder_ParametersThenBuffersThenChildren_WithoutNonPersistentBuffers()
    {
        var model = new Outer();
        Assert.That(model.StateDict().Keys, Is.EqualTo(new[]
        {
            "bias",
            "first.weight", "first.running_mean", "first.num_batches_tracked",
            "second.weight", "second.running_mean", "second.num_batches_tracked",
        }));
    }

    [Test]
    public void NamedBuffers_ListsEveryBufferIncludingNonPersistentOnes_AndParametersExcludeThem()
    {
        var model = new Outer();
        Assert.That(model.NamedBuffers().Select(b => b.Name), Is.EqualTo(new[]
        {
            "first.running_mean", "first.num_batches_tracked", "first.scratch",
            "second.running_mean", "second.num_batches_tracked", "second.scratch",
        }));
        Assert.That(model.NamedParameters().Select(p => p.Name), Is.EqualTo(new[] { "bias", "first.weight", "second.weight" }));
        Assert.That(model.Buffers().All(b => !b.RequiresGrad), Is.True);
        Assert.That(model.Buffers().Count(), Is.EqualTo(6));
    }

    [Test]
    public void LoadStateDict_CopiesBuffers_IncludingInt64Counters()
    {
        var source = new Counted();
        using (Tape.NoGrad())
        {
            source.Running.Fill(0.5);
            source.Steps.Fill(7);
        }

        var target = new Counted();
        target.LoadStateDict(source.StateDict());
        Assert.That(target.Running.ToArray<float>(), Is.EqualTo(new[] { 0.5f, 0.5f }));
        Assert.That(target.Steps.ToArray<long>(), Is.EqualTo(new long[] { 7 }));
        Assert.That(target.Scratch.ToArray<float>(), Is.EqualTo(new float[3]), "non-persistent buffers are not loaded");
    }

    [Test]
    public void LoadStateDict_MissingBuffer_IsAnError_AndTheWrongDTypeForACounterToo()
    {
        var model = new Counted();
        var state = new Dictionary<string, Tensor>(model.StateDict());
        state.Remove("num_batches_tracked");
        var ex = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.That(ex!.Message, Does.Contain("missing key(s): 'num_batches_tracked'"));

        state["num_batches_tracked"] = Tensor.Scalar(3);   // Float32 where PyTorch has int64
        ex = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.That(ex!.Message, Does.Contain("dtype mismatch for 'num_batches_tracked'").And.Contain("Int64"));
    }

    [Test]
    public void SaveAndLoad_RoundTripBuffersThroughSafetensors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"autograd-buffers-{Guid.NewGuid():N}.safetensors");
        try
        {
            var model = new Outer();
            using (Tape.NoGrad())
            {
                model.Second.Steps.Fill(42);
                model.First.Running.Fill(-1);
            }

            model.Save(path);
            var loaded = new Outer();
            loaded.Load(path);
            Assert.That(loaded.Second.Steps.ToArray<long>(), Is.EqualTo(new long[] { 42 }));
            Assert.That(loaded.First.Running.ToArray<float>(), Is.EqualTo(new[] { -1f, -1f }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Misregistered : Module
    {
        public Tensor Add(string name, Tensor t) => RegisterBuffer(name, t);

        public Tensor AddParameter(string name, Tensor t) => RegisterParameter(name, t);

        public override Tensor Forward(Tensor input) => input;
    }

    [Test]
    public void RegisterBuffer_RejectsTensorsThatRequireAGradient_AndNamesTakenByAParameter()
    {
        var module = new Misregistered();
        var trained = Tensor.Zeros([1]);
        trained.RequiresGrad = true;
        var ex = Assert.Throws<ArgumentException>(() => module.Add("b", trained));
        Assert.That(ex!.Message, Does.Contain("Buffer 'b'").And.Contain("does not require a gradient"));

        module.AddParameter("w", Tensor.Zeros([1]));
        ex = Assert.Throws<ArgumentException>(() => module.Add("w", Tensor.Zeros([1])));
        Assert.That(ex!.Message, Does.Contain("already has a member named 'w'"));
    }
}
