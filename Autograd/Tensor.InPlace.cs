using Autograd.Ops.InPlace;

namespace Autograd;

// In-place ops, PyTorch's add_, sub_, mul_, copy_, fill_ and zero_. Each writes this tensor's storage, bumps its version
// (so a Backward through an op that saved it throws instead of using the new values) and, when the tape records,
// rebases this tensor's history onto a new entry, as PyTorch's rebase_history. The ops are in Ops/InPlace/.
public sealed partial class Tensor
{
    /// <summary>
    /// this += <paramref name="alpha"/> · <paramref name="other"/>, elementwise, in place (PyTorch's <c>add_</c>).
    /// <paramref name="other"/> is broadcast to this tensor's shape, which never changes.
    /// </summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts to this one's.</param>
    /// <param name="alpha">The factor applied to <paramref name="other"/>.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dtypes differ, or <paramref name="other"/> does not broadcast to this shape.</exception>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records
    /// (modify parameters inside <c>using (Tape.NoGrad())</c>).</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor AddInPlace(Tensor other, double alpha = 1) => AddInPlaceOp.Apply(this, other, alpha, "AddInPlace");

    /// <summary>
    /// this −= <paramref name="alpha"/> · <paramref name="other"/>, elementwise, in place (PyTorch's <c>sub_</c>); the
    /// hand-written SGD step is <c>using (Tape.NoGrad()) w.SubInPlace(w.Grad!, alpha: lr);</c>.
    /// </summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts to this one's.</param>
    /// <param name="alpha">The factor applied to <paramref name="other"/>.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dtypes differ, or <paramref name="other"/> does not broadcast to this shape.</exception>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor SubInPlace(Tensor other, double alpha = 1) => AddInPlaceOp.Apply(this, other, -alpha, "SubInPlace");

    /// <summary>this *= <paramref name="other"/>, elementwise, in place (PyTorch's <c>mul_</c>), broadcasting
    /// <paramref name="other"/> to this tensor's shape.</summary>
    /// <param name="other">A tensor of the same dtype whose shape broadcasts to this one's.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException">The dtypes differ, or <paramref name="other"/> does not broadcast to this shape.</exception>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor MulInPlace(Tensor other) => MulInPlaceOp.Apply(this, other);

    /// <summary>this *= <paramref name="value"/>, elementwise, in place (PyTorch's <c>mul_</c> with a number).</summary>
    /// <param name="value">The factor, rounded to this tensor's element type.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor MulInPlace(double value) => MulInPlaceOp.Apply(this, value);

    /// <summary>
    /// Overwrites this tensor with <paramref name="source"/>'s values (PyTorch's <c>copy_</c>), broadcasting it to
    /// this tensor's shape and converting Float32 ↔ Float64 when the dtypes differ. The gradient flows to
    /// <paramref name="source"/> (converted back to its dtype); the old values get none.
    /// </summary>
    /// <param name="source">A tensor whose shape broadcasts to this one's.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="ArgumentException"><paramref name="source"/> does not broadcast to this shape.</exception>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor CopyFrom(Tensor source) => CopyFromOp.Apply(this, source);

    /// <summary>Sets every element to <paramref name="value"/>, in place (PyTorch's <c>fill_</c>).</summary>
    /// <param name="value">The value, rounded to this tensor's element type.</param>
    /// <returns>This tensor.</returns>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor Fill(double value) => FillOp.Apply(this, value, "Fill");

    /// <summary>Sets every element to 0, in place (PyTorch's <c>zero_</c>).</summary>
    /// <returns>This tensor.</returns>
    /// <exception cref="InvalidOperationException">This is a leaf that requires a gradient and the tape records.</exception>
    /// <exception cref="NotSupportedException">This is a view (e.g. a Reshape) of a tensor that the tape records.</exception>
    public Tensor Zero() => FillOp.Apply(this, 0, "Zero");

    /// <summary>
    /// A new tensor over this storage that takes over this tensor's history (its GradFn and RequiresGrad): in the
    /// graph it stands for the value before an in-place op, whose entry then becomes this tensor's GradFn.
    /// </summary>
    internal Tensor SplitHistory()
    {
        Tensor previous = View(this, _shape);
        previous.GradFn = GradFn;
        previous._requiresGrad = _requiresGrad;
        return previous;
    }
}
