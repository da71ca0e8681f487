using Autograd.NN;
using Autograd.Optim;

namespace Autograd.Tests.Serialization;

/// <summary>
/// Saving a checkpoint writes the optimizer's buffers from where they live: it allocates far less than the
/// parameters' size (copies of Adam's two moment buffers would be twice it), and the file still holds the buffers'
/// values at the time of the save.
/// </summary>
public class CheckpointAllocationTests
{
    [Test]
    public void Save_DoesNotCopyTheOptimizerBuffers()
    {
        var model = new Sequential(new Linear(256, 256, seed: 1), new ReLU(), new Linear(256, 256, seed: 2));
        var optimizer = new Adam(model.Parameters(), lr: 0.01);
        model.Forward(Tensor.Randn([8, 256], seed: 3)).Square().Mean().Backward();
        optimizer.Step();
        long parameterBytes = model.Parameters().Sum(p => (long)p.Count * sizeof(float));
        string path = Path.Combine(Path.GetTempPath(), $"checkpoint-allocation-{Guid.NewGuid():N}.ckpt");
        try
        {
            Checkpoint.Save(path, model, optimizer, epoch: 1);   // warm up (JIT, statics)
            long before = GC.GetAllocatedBytesForCurrentThread();
            Checkpoint.Save(path, model, optimizer, epoch: 1);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            TestContext.Out.WriteLine($"a save allocated {allocated} bytes; the parameters are {parameterBytes}");
            Assert.That(allocated, Is.LessThan(parameterBytes / 4), $"allocated {allocated} bytes; parameters {parameterBytes}");

            // The file holds the live buffers' values of the time of the save, and later steps do not change them.
            OptimizerStateDict live = optimizer.StateDict();
            optimizer.Step();
            var saved = Checkpoint.Load(path).OptimizerState;
            foreach (var (index, state) in live.State)
            {
                foreach (var (name, tensor) in state.Tensors)
                {
                    Assert.That(saved.State[index].Tensors[name].ToArray<float>(), Is.EqualTo(tensor.ToArray<float>()), $"{index}.{name}");
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
