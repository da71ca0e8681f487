using System.Text.Json;
using Autograd.Tests.NN;

namespace Autograd.Tests.Seeds;

/// <summary>
/// Hessians of the tutorial networks' losses (shared/seeds 001 binary classifier, 002 softmax classifier, 003 the
/// 3-layer walkthrough with its own weights) against PyTorch's torch.autograd.functional.hessian in float64
/// (<c>Fixtures/tutorial_hessians.json</c>, written by <c>make_fixtures.py tutorial_hessians</c>, which also holds
/// every input, weight and label). Each Hessian is computed by <see cref="Tape.Hessian"/> and by double backward
/// with <see cref="Tape.Grad"/>: with respect to the input, to the first weight matrix, and to all the parameters.
/// </summary>
public class TutorialHessianTests
{
    // Both sides compute the same float64 formulas in different orders; PyTorch's reference is the exact BCE.
    private const double RelativeTolerance = 1e-10;

    // Entries that are zero (or nearly, by cancellation) on one side are compared at this fraction of the largest.
    private const double ScaleTolerance = 1e-13;

    private static readonly string[] _networks = ["binary_classifier_001", "softmax_classifier_002", "walkthrough_003"];

    [TestCaseSource(nameof(_networks))]
    public void Loss_MatchesPyTorch(string name)
    {
        Network network = Network.Load(name);
        Assert.That(network.Loss(network.Tensors).Item(), Is.EqualTo(network.Reference.GetProperty("loss").GetDouble()).Within(1e-14));
    }

    [TestCaseSource(nameof(_networks))]
    public void InputHessian_ByTapeHessian_MatchesPyTorch(string name)
    {
        Network network = Network.Load(name);
        Tensor hessian = Tape.Hessian(x => network.Loss(network.With("x", x)), network.Tensors["x"]);
        AssertMatches(hessian, network.Reference.GetProperty("hessian_input"), "d²loss/dx²");
    }

    [TestCaseSource(nameof(_networks))]
    public void WeightHessian_ByTapeHessian_MatchesPyTorch(string name)
    {
        Network network = Network.Load(name);
        Tensor hessian = Tape.Hessian(w => network.Loss(network.With(network.Weight, w)), network.Tensors[network.Weight]);
        AssertMatches(hessian, network.Reference.GetProperty("hessian_weight"), $"d²loss/d{network.Weight}²");
    }

    [TestCaseSource(nameof(_networks))]
    public void InputAndWeightHessians_ByDoubleBackward_MatchPyTorch(string name)
    {
        Network network = Network.Load(name);
        double[] input = HessianByDoubleBackward(network, ["x"]);
        AssertMatches(input, network.Reference.GetProperty("hessian_input"), "d²loss/dx² (Tape.Grad twice)");
        double[] weight = HessianByDoubleBackward(network, [network.Weight]);
        AssertMatches(weight, network.Reference.GetProperty("hessian_weight"), $"d²loss/d{network.Weight}² (Tape.Grad twice)");
    }

    [TestCaseSource(nameof(_networks))]
    public void ParameterHessian_ByDoubleBackward_MatchesPyTorch(string name)
    {
        Network network = Network.Load(name);
        double[] hessian = HessianByDoubleBackward(network, network.Parameters);
        AssertMatches(hessian, network.Reference.GetProperty("hessian_parameters"), "d²loss/dθ² (all parameters)");
    }

    /// <summary>
    /// The Hessian with respect to the named tensors, flattened and concatenated in order ([P, P]): one Tape.Grad with
    /// createGraph for the gradient, then one Tape.Grad of each gradient element.
    /// </summary>
    private static double[] HessianByDoubleBackward(Network network, string[] names)
    {
        Dictionary<string, Tensor> tensors = network.Tensors.ToDictionary(p => p.Key, p => p.Value.Detach());
        Tensor[] variables = names.Select(n => tensors[n]).ToArray();
        foreach (Tensor v in variables)
        {
            v.RequiresGrad = true;
        }

        Tensor?[] gradients = Tape.Grad(network.Loss(tensors), variables, createGraph: true);
        int total = variables.Sum(v => v.Count);
        double[] hessian = new double[total * total];
        int row = 0;
        foreach (Tensor gradient in gradients.Select(g => g!))
        {
            for (int element = 0; element < gradient.Count; element++, row++)
            {
                if (!gradient.RequiresGrad)
                {
                    continue;   // a gradient that does not depend on any variable: a zero row
                }

                double[] oneHot = new double[gradient.Count];
                oneHot[element] = 1;
                Tensor?[] secondDerivatives = Tape.Grad(gradient, variables, Tensor.FromArray(oneHot, gradient.Shape),
                    retainGraph: true, allowUnused: true);
                int column = 0;
                for (int i = 0; i < variables.Length; i++)
                {
                    secondDerivatives[i]?.ToArray<double>().CopyTo(hessian, (row * total) + column);
                    column += variables[i].Count;
                }
            }
        }

        return hessian;
    }

    private static void AssertMatches(Tensor actual, JsonElement expected, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.GetProperty("shape").Ints()), $"{what}: shape");
        Assert.That(actual.DType, Is.EqualTo(DType.Float64));
        AssertMatches(actual.ToArray<double>(), expected, what);
    }

    private static void AssertMatches(double[] actual, JsonElement expected, string what)
    {
        double[] values = expected.GetProperty("values").Doubles();
        Assert.That(actual, Has.Length.EqualTo(values.Length), $"{what}: element count");
        double scale = values.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0), $"{what}: PyTorch's Hessian is not all zeros");
        for (int i = 0; i < values.Length; i++)
        {
            double tolerance = (RelativeTolerance * Math.Abs(values[i])) + (ScaleTolerance * scale);
            Assert.That(actual[i], Is.EqualTo(values[i]).Within(tolerance), $"{what}[{i}]");
        }
    }

    /// <summary>One network of the fixture: its tensors (float64 leaves), loss, parameters and PyTorch's results.</summary>
    private sealed class Network
    {
        private readonly string _name;
        private readonly int[]? _labels;

        private Network(string name, JsonElement reference)
        {
            _name = name;
            Reference = reference;
            Tensors = reference.GetProperty("tensors").EnumerateObject().ToDictionary(
                p => p.Name,
                p => Tensor.FromArray(p.Value.GetProperty("values").Doubles(), p.Value.GetProperty("shape").Ints()));
            JsonElement labels = reference.GetProperty("labels");
            _labels = labels.ValueKind == JsonValueKind.Null ? null : labels.Ints();
            Parameters = reference.GetProperty("parameters").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Weight = reference.GetProperty("weight").GetString()!;
        }

        public JsonElement Reference { get; }

        public Dictionary<string, Tensor> Tensors { get; }

        public string[] Parameters { get; }

        public string Weight { get; }

        public static Network Load(string name)
        {
            using JsonDocument document = TestFixtures.Json("tutorial_hessians.json");
            JsonElement network = document.RootElement.GetProperty("networks").EnumerateArray()
                .Single(n => n.GetProperty("name").GetString() == name);
            return new Network(name, network.Clone());
        }

        /// <summary>The tensors with one of them replaced.</summary>
        public Dictionary<string, Tensor> With(string name, Tensor value) =>
            Tensors.ToDictionary(p => p.Key, p => p.Key == name ? value : p.Value);

        /// <summary>The network's loss, written as the tutorial (and the seed tests) build it.</summary>
        public Tensor Loss(IReadOnlyDictionary<string, Tensor> t) => _name switch
        {
            // 001: σ(max(0, x·w1)·w2 + b), mean BCE.
            "binary_classifier_001" => Autograd.Loss.BinaryCrossEntropy(
                (t["x"].MatMul(t["w1"]).Relu().MatMul(t["w2"]) + t["b"]).Sigmoid(), t["y"]),

            // 002: y2 = max(0, X·W1 + b1)·W2 + b2, softmax cross-entropy.
            "softmax_classifier_002" => Autograd.Loss.CrossEntropy(
                ((t["x"].MatMul(t["W1"]) + t["b1"]).Relu().MatMul(t["W2"]) + t["b2"]), _labels!),

            // 003: Linear, ReLU, Linear, ReLU, Linear, σ, mean BCE.
            "walkthrough_003" => Autograd.Loss.BinaryCrossEntropy(
                Functional.Linear(
                    Functional.Linear(Functional.Linear(t["x"], t["W1"], t["b1"]).Relu(), t["W2"], t["b2"]).Relu(),
                    t["W3"], t["b3"]).Sigmoid(),
                t["y"]),
            _ => throw new ArgumentException($"no network named {_name}"),
        };
    }
}
