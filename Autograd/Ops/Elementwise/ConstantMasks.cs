using System.Numerics;

namespace Autograd.Ops;

/// <summary>A condition on one element, for <see cref="ConstantMasks"/>.</summary>
internal interface IElementCondition
{
    bool Holds<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A condition on a pair of elements at the same position, for <see cref="ConstantMasks"/>.</summary>
internal interface IPairCondition
{
    bool Holds<T>(T x, T y)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// 0/1 tensors that select the pieces of a piecewise derivative in a createGraph VJP. They are constants (computed
/// from values, never recorded): the piece boundaries do not move under an infinitesimal change of x, so a mask's
/// derivative is 0 wherever the function is differentiable. Multiplying a finite value by 0 gives exactly 0, so the
/// pieces a mask drops must be kept finite (an ELU's eˣ is taken at min(x, 0), not at x).
/// </summary>
internal static class ConstantMasks
{
    /// <summary>1 where <paramref name="condition"/> holds for x[i], else 0; x's shape and dtype.</summary>
    public static Tensor Where<TCondition>(Tensor x, TCondition condition)
        where TCondition : struct, IElementCondition
    {
        Tensor mask = Tensor.Empty(x.ShapeArray, x.DType);
        DTypeDispatch.Float(x.DType, new UnaryMask<TCondition>(x, condition, mask));
        return mask;
    }

    /// <summary>1 where <paramref name="condition"/> holds for (x[i], y[i]), else 0; x and y have the same shape.</summary>
    public static Tensor Where<TCondition>(Tensor x, Tensor y, TCondition condition)
        where TCondition : struct, IPairCondition
    {
        Tensor mask = Tensor.Empty(x.ShapeArray, x.DType);
        DTypeDispatch.Float(x.DType, new PairMask<TCondition>(x, y, condition, mask));
        return mask;
    }

    private readonly struct UnaryMask<TCondition>(Tensor x, TCondition condition, Tensor mask) : IFloatAction
        where TCondition : struct, IElementCondition
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> source = x.Span<T>();
            Span<T> destination = mask.Span<T>();
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = condition.Holds(source[i]) ? T.One : T.Zero;
            }
        }
    }

    private readonly struct PairMask<TCondition>(Tensor x, Tensor y, TCondition condition, Tensor mask) : IFloatAction
        where TCondition : struct, IPairCondition
    {
        public void Invoke<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ReadOnlySpan<T> first = x.Span<T>();
            ReadOnlySpan<T> second = y.Span<T>();
            Span<T> destination = mask.Span<T>();
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = condition.Holds(first[i], second[i]) ? T.One : T.Zero;
            }
        }
    }
}

/// <summary>x &gt; c.</summary>
internal readonly struct GreaterThan(double bound) : IElementCondition
{
    public bool Holds<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T> => x > T.CreateChecked(bound);
}

/// <summary>x &lt; c.</summary>
internal readonly struct LessThan(double bound) : IElementCondition
{
    public bool Holds<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T> => x < T.CreateChecked(bound);
}
