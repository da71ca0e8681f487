using System.Collections;

namespace Autograd.NN;

/// <summary>
/// A chain of modules, PyTorch's <c>nn.Sequential</c>: <see cref="Forward"/> feeds each layer's
/// output to the next. Children are named by position, so parameters are <c>"0.weight"</c>,
/// <c>"0.bias"</c>, <c>"2.weight"</c>, ... exactly as in PyTorch's state_dict.
/// </summary>
public class Sequential : Module, IReadOnlyList<Module>
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates the chain.</summary>
    /// <param name="layers">The layers, in order.</param>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Append(layer);
        }
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/> (named <c>index.ToString()</c>).</summary>
    /// <param name="index">Zero-based position.</param>
    public Module this[int index] => _layers[index];

    /// <summary>Adds a layer at the end, named by its position (PyTorch's <c>append</c>).</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>This chain.</returns>
    public Sequential Append(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc/>
    public override string ToString() =>
        $"{GetType().Name}(" + string.Concat(_layers.Select((l, i) => $"\n  ({i}): {l}")) + "\n)";
}
