namespace Autograd;

// torch.autograd.grad and torch.autograd.functional: derivatives returned as tensors, no Grad touched.
public static partial class Tape
{
    /// <summary>
    /// The gradients of <paramref name="output"/> with respect to each of <paramref name="inputs"/> (leaves or
    /// intermediate tensors), as torch.autograd.grad: no tensor's <see cref="Tensor.Grad"/> is read or written.
    /// </summary>
    /// <param name="output">The tensor to differentiate; a single element unless <paramref name="gradOutput"/> is given.</param>
    /// <param name="inputs">The tensors to differentiate with respect to; each must require a gradient.</param>
    /// <param name="gradOutput">d(loss)/d(output), the vector of the vector-Jacobian product; 1 for a scalar output.</param>
    /// <param name="retainGraph">Keep the graph for another backward pass (implied by <paramref name="createGraph"/>).</param>
    /// <param name="createGraph">Record the backward pass, so that the returned gradients can be differentiated again.</param>
    /// <param name="allowUnused">Return null for an input that <paramref name="output"/> does not depend on, instead of throwing.</param>
    public static Tensor?[] Grad(Tensor output, Tensor[] inputs, Tensor? gradOutput = null,
        bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (inputs[i] is null)
            {
                throw new ArgumentNullException(nameof(inputs), $"Tape.Grad: inputs[{i}] is null.");
            }

            if (!inputs[i].RequiresGrad)
            {
                throw new ArgumentException(
                    $"Tape.Grad: inputs[{i}] ({ShapeText.Format(inputs[i].ShapeSpan)}) does not require a gradient; "
                    + "set RequiresGrad = true on it before computing the output.", nameof(inputs));
            }
        }

        Tensor?[] grads = BackwardPass.Grad(output, inputs, gradOutput, retainGraph || createGraph, createGraph);
        for (int i = 0; i < grads.Length; i++)
        {
            if (grads[i] is null && !allowUnused)
            {
                throw new ArgumentException(
                    $"Tape.Grad: inputs[{i}] ({ShapeText.Format(inputs[i].ShapeSpan)}) was not used to compute the "
                    + "output, so it has no gradient. Pass allowUnused: true to get null for it instead.", nameof(inputs));
            }
        }

        return grads;
    }

    /// <summary>
    /// The Jacobian of <paramref name="f"/> at <paramref name="x"/>: shape f(x).Shape ++ x.Shape, element
    /// [i..., j...] = d f(x)[i...] / d x[j...]. One backward pass per output element.
    /// </summary>
    public static Tensor Jacobian(Func<Tensor, Tensor> f, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        Tensor point = Variable(x, "Jacobian");
        Tensor y = f(point);
        Tensor[] rows = JacobianRows(y, point);
        return Assemble(rows, y, point);
    }

    /// <summary>
    /// The Hessian of a scalar function <paramref name="f"/> at <paramref name="x"/>: shape x.Shape ++ x.Shape,
    /// the Jacobian of its gradient (double backward).
    /// </summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        Tensor point = Variable(x, "Hessian");
        Tensor y = f(point);
        RequireScalar(y, "Hessian");
        Tensor gradient = Grad(y, [point], createGraph: true)[0]!;
        Tensor[] rows = JacobianRows(gradient, point);
        return Assemble(rows, gradient, point);
    }

    /// <summary>
    /// The Jacobian-vector product J·v of <paramref name="f"/> at <paramref name="x"/> (shape of f(x)), by the
    /// double-backward trick: u ↦ Jᵀu is linear, so its own VJP with v is J·v.
    /// </summary>
    public static Tensor Jvp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        RequireLike(v, x, "Jvp", "v");
        Tensor point = Variable(x, "Jvp");
        Tensor y = f(point);
        Tensor u = Tensor.Zeros(y.ShapeArray, y.DType);
        u.RequiresGrad = true;
        Tensor?[] vjp = Grad(y, [point], u, createGraph: true, allowUnused: true);
        if (vjp[0] is not { RequiresGrad: true } transposed)
        {
            return Tensor.Zeros(y.ShapeArray, y.DType);   // f does not depend on x (or only through constants)
        }

        Tensor?[] jv = Grad(transposed, [u], v, allowUnused: true);
        return jv[0]?.Detach() ?? Tensor.Zeros(y.ShapeArray, y.DType);
    }

    /// <summary>The Hessian-vector product H·v of a scalar function <paramref name="f"/> at <paramref name="x"/> (shape of x).</summary>
    public static Tensor Hvp(Func<Tensor, Tensor> f, Tensor x, Tensor v)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        RequireLike(v, x, "Hvp", "v");
        Tensor point = Variable(x, "Hvp");
        Tensor y = f(point);
        RequireScalar(y, "Hvp");
        Tensor gradient = Grad(y, [point], createGraph: true)[0]!;
        if (!gradient.RequiresGrad)
        {
            return Tensor.Zeros(point.ShapeArray, point.DType);   // f is linear in x
        }

        Tensor?[] hv = Grad(gradient, [point], v, allowUnused: true);
        return hv[0]?.Detach() ?? Tensor.Zeros(point.ShapeArray, point.DType);
    }

    /// <summary>A leaf sharing x's values that requires a gradient, so that x itself is never touched.</summary>
    private static Tensor Variable(Tensor x, string op)
    {
        if (x.DType is not (DType.Float32 or DType.Float64))
        {
            throw new ArgumentException($"{op}: x is {x.DType}; only floating-point tensors can be differentiated.");
        }

        Tensor point = x.Detach();
        point.RequiresGrad = true;
        return point;
    }

    private static void RequireScalar(Tensor y, string op)
    {
        if (y.Count != 1)
        {
            throw new ArgumentException($"{op}: f must return a single element; it returned {ShapeText.Format(y.ShapeSpan)}.");
        }
    }

    private static void RequireLike(Tensor? v, Tensor x, string op, string name)
    {
        ArgumentNullException.ThrowIfNull(v, name);
        if (v.DType != x.DType || !v.ShapeSpan.SequenceEqual(x.ShapeSpan))
        {
            throw new ArgumentException(
                $"{op}: {name} is {ShapeText.Format(v.ShapeSpan)} {v.DType}; it must match x, {ShapeText.Format(x.ShapeSpan)} {x.DType}.");
        }
    }

    /// <summary>d y[i] / d x for every element i of y (zeros where y does not depend on x).</summary>
    private static Tensor[] JacobianRows(Tensor y, Tensor x)
    {
        var rows = new Tensor[y.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            if (!y.RequiresGrad)
            {
                rows[i] = Tensor.Zeros(x.ShapeArray, x.DType);
                continue;
            }

            double[] unit = new double[y.Count];
            unit[i] = 1;
            Tensor oneHot = Tensor.FromValues(unit, y.ShapeArray, y.DType);
            Tensor?[] g = Grad(y, [x], oneHot, retainGraph: true, allowUnused: true);
            rows[i] = g[0] ?? Tensor.Zeros(x.ShapeArray, x.DType);
        }

        return rows;
    }

    private static Tensor Assemble(Tensor[] rows, Tensor y, Tensor x)
    {
        int[] shape = [.. y.ShapeSpan, .. x.ShapeSpan];
        var result = Tensor.Zeros(shape, x.DType);
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i].CopyElementsTo(result, i * x.Count);
        }

        return result;
    }
}
