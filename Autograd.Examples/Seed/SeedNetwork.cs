using Autograd.Examples.Common;

namespace Autograd.Examples.Seed;

/// <summary>
/// The 3-layer network worked by hand in the seed tutorial (shared/seeds/003): 2 → 3 (ReLU) → 2 (ReLU) →
/// 1 (Sigmoid), binary cross-entropy, batch of 2. Prints every intermediate, the cost and every gradient.
/// </summary>
public static class SeedNetwork
{
    public static void Run(TextWriter output)
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        Tensor y = Tensor.FromArray(new float[] { 0, 1 }, 2, 1);

        Tensor w1 = Parameter([-1f, 2f, 3f, 0.5f, -0.1f, -4f], 3, 2);
        Tensor b1 = Parameter([1f, -2f, 0.3f], 3);
        Tensor w2 = Parameter([0.5f, 1f, -2f, 0.7f, 0.1f, 0.3f], 2, 3);
        Tensor b2 = Parameter([-4f, 5f], 2);
        Tensor w3 = Parameter([0.5f, -0.3f], 1, 2);
        Tensor b3 = Parameter([0.1f], 1);

        // Forward: Z = A·Wᵀ + b, then the activation.
        Tensor z1 = Functional.Linear(x, w1, b1);
        Tensor a1 = z1.Relu();
        Tensor z2 = Functional.Linear(a1, w2, b2);
        Tensor a2 = z2.Relu();
        Tensor z3 = Functional.Linear(a2, w3, b3);
        Tensor a3 = z3.Sigmoid();
        Tensor cost = Loss.BinaryCrossEntropy(a3, y);

        output.WriteLine("Forward pass");
        Print(output, "Z1", z1);
        Print(output, "A1", a1);
        Print(output, "Z2", z2);
        Print(output, "A2", a2);
        Print(output, "Z3", z3);
        Print(output, "A3 (model output)", a3);
        output.WriteLine($"Cost: {cost.Item():R}");

        cost.Backward();

        output.WriteLine();
        output.WriteLine("Gradients of the cost");
        Print(output, "dJ/dW1", w1.Grad!);
        Print(output, "dJ/db1", b1.Grad!);
        Print(output, "dJ/dW2", w2.Grad!);
        Print(output, "dJ/db2", b2.Grad!);
        Print(output, "dJ/dW3", w3.Grad!);
        Print(output, "dJ/db3", b3.Grad!);
    }

    private static Tensor Parameter(float[] values, params int[] shape)
    {
        Tensor p = Tensor.FromArray(values, shape);
        p.RequiresGrad = true;
        return p;
    }

    private static void Print(TextWriter output, string name, Tensor t)
    {
        output.WriteLine($"{name}:");
        output.WriteLine(TensorFormat.Matrix(t));
    }
}
