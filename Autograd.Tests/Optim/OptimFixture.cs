using System.Text.Json;
using Autograd.Optim;
using Autograd.Tests.NN;

namespace Autograd.Tests.Optim;

/// <summary>
/// The cases of <c>Fixtures/optim.json</c> (written by <c>make_optim_fixtures.py</c>) and the code that rebuilds
/// them: the problem's parameters, the optimizers and parameter groups from PyTorch's option names, the schedules
/// from their specs.
/// </summary>
internal static class OptimFixture
{
    /// <summary>LambdaLR's functions by the names the script uses.</summary>
    public static readonly IReadOnlyDictionary<string, Func<int, double>> Lambdas = new Dictionary<string, Func<int, double>>
    {
        ["pow095"] = e => Math.Pow(0.95, e),
        ["inverse"] = e => 1.0 / (e + 1),
        ["warmup5"] = e => e < 5 ? (e + 1) / 5.0 : 1.0,
    };

    private static readonly Lazy<JsonElement> _root = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(
            Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim.json")));
        return document.RootElement.Clone();
    });

    public static JsonElement Root => _root.Value;

    public static IEnumerable<string> OptimizerCaseNames() => Names("optimizers");

    public static IEnumerable<string> ScheduleCaseNames() => Names("schedules");

    public static JsonElement OptimizerCase(string name) => Case("optimizers", name);

    public static JsonElement ScheduleCase(string name) => Case("schedules", name);

    /// <summary>The problem's parameters W [3,4] and v [4] at their starting values, as leaves that require gradients.</summary>
    public static (Tensor W, Tensor V) Parameters(DType dtype) => (Leaf("W0", dtype, 3, 4), Leaf("v0", dtype, 4));

    /// <summary>zero_grad, the loss mean((X·W + v − Y)²), backward.</summary>
    public static void Backward(Optimizer optimizer, Tensor w, Tensor v)
    {
        var x = Constant("X", w.DType, 5, 3);
        var y = Constant("Y", w.DType, 5, 4);
        optimizer.ZeroGrad();
        (x.MatMul(w) + v - y).Pow(2).Mean().Backward();
    }

    /// <summary>Builds the case's optimizer over W and v, with its defaults and groups.</summary>
    public static Optimizer CreateOptimizer(JsonElement testCase, Tensor w, Tensor v)
    {
        var kind = testCase.GetProperty("optimizer").GetString()!;
        var defaults = testCase.GetProperty("defaults");
        var groupsJson = testCase.GetProperty("groups");
        ParamGroup[]? groups = groupsJson.ValueKind == JsonValueKind.Null
            ? null
            : groupsJson.EnumerateArray().Select(g => Group(g, w, v)).ToArray();
        Tensor[] both = [w, v];

        double D(string key, double fallback) => defaults.TryGetProperty(key, out var value) ? value.GetDouble() : fallback;
        bool B(string key) => defaults.TryGetProperty(key, out var value) && value.GetBoolean();
        var (beta1, beta2) = defaults.TryGetProperty("betas", out var betas)
            ? (betas[0].GetDouble(), betas[1].GetDouble())
            : (0.9, 0.999);
        var lr = defaults.GetProperty("lr").GetDouble();
        return kind switch
        {
            "Sgd" => groups is null
                ? new Sgd(both, lr, D("momentum", 0), D("weight_decay", 0), B("nesterov"), D("dampening", 0), B("maximize"))
                : new Sgd(groups, lr, D("momentum", 0), D("weight_decay", 0), B("nesterov"), D("dampening", 0), B("maximize")),
            "Adam" => groups is null
                ? new Adam(both, lr, beta1, beta2, D("eps", 1e-8), D("weight_decay", 0), B("amsgrad"), B("maximize"))
                : new Adam(groups, lr, beta1, beta2, D("eps", 1e-8), D("weight_decay", 0), B("amsgrad"), B("maximize")),
            "AdamW" => groups is null
                ? new AdamW(both, lr, beta1, beta2, D("eps", 1e-8), D("weight_decay", 1e-2), B("amsgrad"), B("maximize"))
                : new AdamW(groups, lr, beta1, beta2, D("eps", 1e-8), D("weight_decay", 1e-2), B("amsgrad"), B("maximize")),
            "RMSprop" => groups is null
                ? new RMSprop(both, lr, D("alpha", 0.99), D("eps", 1e-8), D("weight_decay", 0), D("momentum", 0), B("centered"), B("maximize"))
                : new RMSprop(groups, lr, D("alpha", 0.99), D("eps", 1e-8), D("weight_decay", 0), D("momentum", 0), B("centered"), B("maximize")),
            "Adagrad" => groups is null
                ? new Adagrad(both, lr, D("lr_decay", 0), D("weight_decay", 0), D("initial_accumulator_value", 0), D("eps", 1e-10), B("maximize"))
                : new Adagrad(groups, lr, D("lr_decay", 0), D("weight_decay", 0), D("initial_accumulator_value", 0), D("eps", 1e-10), B("maximize")),
            _ => throw new InvalidDataException($"unknown optimizer {kind}"),
        };
    }

    /// <summary>Builds a schedule (or ReduceLROnPlateau) from its spec; returns the object and its step action.</summary>
    public static (object Scheduler, Action<int> Step) CreateScheduler(JsonElement testCase, Optimizer optimizer)
    {
        var spec = testCase.GetProperty("scheduler");
        if (spec.GetProperty("kind").GetString() == "ReduceLROnPlateau")
        {
            var plateau = Plateau(spec.GetProperty("args"), optimizer);
            var metrics = testCase.GetProperty("metrics").Doubles();
            return (plateau, i => plateau.Step(metrics[i]));
        }

        var scheduler = Scheduler(spec, optimizer);
        return (scheduler, _ => scheduler.Step());
    }

    /// <summary>A schedule (not ReduceLROnPlateau) from its spec.</summary>
    public static LRScheduler Scheduler(JsonElement spec, Optimizer optimizer)
    {
        var args = spec.TryGetProperty("args", out var a) ? a : default;
        double D(string key, double fallback) =>
            args.ValueKind == JsonValueKind.Object && args.TryGetProperty(key, out var value) ? value.GetDouble() : fallback;
        int? I(string key) =>
            args.ValueKind == JsonValueKind.Object && args.TryGetProperty(key, out var value) ? value.GetInt32() : null;
        bool B(string key, bool fallback) =>
            args.ValueKind == JsonValueKind.Object && args.TryGetProperty(key, out var value) ? value.GetBoolean() : fallback;

        switch (spec.GetProperty("kind").GetString())
        {
            case "LinearLR":
                return new LinearLR(optimizer, D("start_factor", 1.0 / 3), D("end_factor", 1.0), I("total_iters") ?? 5);
            case "StepLR":
                return new StepLR(optimizer, I("step_size")!.Value, D("gamma", 0.1));
            case "ExponentialLR":
                return new ExponentialLR(optimizer, D("gamma", double.NaN));
            case "CosineAnnealingLR":
                return new CosineAnnealingLR(optimizer, I("T_max")!.Value, D("eta_min", 0));
            case "LambdaLR":
                var lambda = args.GetProperty("lr_lambda");
                return lambda.ValueKind == JsonValueKind.Array
                    ? new LambdaLR(optimizer, lambda.EnumerateArray().Select(n => Lambdas[n.GetString()!]).ToArray())
                    : new LambdaLR(optimizer, Lambdas[lambda.GetString()!]);
            case "OneCycleLR":
                var anneal = args.TryGetProperty("anneal_strategy", out var s) && s.GetString() == "linear"
                    ? AnnealStrategy.Linear
                    : AnnealStrategy.Cos;
                var maxLr = args.GetProperty("max_lr");
                return maxLr.ValueKind == JsonValueKind.Array
                    ? new OneCycleLR(optimizer, maxLr.Doubles(), I("total_steps"), I("epochs"), I("steps_per_epoch"), D("pct_start", 0.3),
                        anneal, B("cycle_momentum", true), null, null, D("div_factor", 25), D("final_div_factor", 1e4), B("three_phase", false))
                    : new OneCycleLR(optimizer, maxLr.GetDouble(), I("total_steps"), I("epochs"), I("steps_per_epoch"), D("pct_start", 0.3),
                        anneal, B("cycle_momentum", true), D("base_momentum", 0.85), D("max_momentum", 0.95), D("div_factor", 25),
                        D("final_div_factor", 1e4), B("three_phase", false));
            case "SequentialLR":
                var children = spec.GetProperty("schedulers").EnumerateArray().Select(c => Scheduler(c, optimizer)).ToArray();
                return new SequentialLR(optimizer, children, args.GetProperty("milestones").Ints());
            case "ChainedScheduler":
                return new ChainedScheduler(spec.GetProperty("schedulers").EnumerateArray().Select(c => Scheduler(c, optimizer)).ToArray());
            case var other:
                throw new InvalidDataException($"unknown scheduler {other}");
        }
    }

    /// <summary>PyTorch's numbers and strings in a JSON state dict compare equal to ours (arrays and objects recursively).</summary>
    public static void AssertJsonEqual(JsonElement expected, System.Text.Json.Nodes.JsonNode? actual, string path, double tolerance = 0)
    {
        Assert.That(actual, Is.Not.Null, $"{path} is missing");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                {
                    AssertJsonEqual(property.Value, actual![property.Name], $"{path}.{property.Name}", tolerance);
                }

                break;
            case JsonValueKind.Array:
                var array = actual!.AsArray();
                Assert.That(array, Has.Count.EqualTo(expected.GetArrayLength()), path);
                for (var i = 0; i < array.Count; i++)
                {
                    AssertJsonEqual(expected[i], array[i], $"{path}[{i}]", tolerance);
                }

                break;
            case JsonValueKind.Number:
                var number = double.Parse(actual!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(number, Is.EqualTo(expected.GetDouble()).Within(tolerance), path);
                break;
            case JsonValueKind.String:
                Assert.That(actual!.GetValue<string>(), Is.EqualTo(expected.GetString()), path);
                break;
            default:
                Assert.That(actual!.GetValue<bool>(), Is.EqualTo(expected.GetBoolean()), path);
                break;
        }
    }

    private static ReduceLROnPlateau Plateau(JsonElement args, Optimizer optimizer)
    {
        double D(string key, double fallback) => args.TryGetProperty(key, out var value) ? value.GetDouble() : fallback;
        int I(string key, int fallback) => args.TryGetProperty(key, out var value) ? value.GetInt32() : fallback;
        var mode = args.TryGetProperty("mode", out var m) && m.GetString() == "max" ? PlateauMode.Max : PlateauMode.Min;
        var thresholdMode = args.TryGetProperty("threshold_mode", out var t) && t.GetString() == "abs" ? ThresholdMode.Abs : ThresholdMode.Rel;
        return args.TryGetProperty("min_lr", out var minLr) && minLr.ValueKind == JsonValueKind.Array
            ? new ReduceLROnPlateau(optimizer, mode, D("factor", 0.1), I("patience", 10), D("threshold", 1e-4), thresholdMode,
                I("cooldown", 0), minLr.Doubles(), D("eps", 1e-8))
            : new ReduceLROnPlateau(optimizer, mode, D("factor", 0.1), I("patience", 10), D("threshold", 1e-4), thresholdMode,
                I("cooldown", 0), D("min_lr", 0), D("eps", 1e-8));
    }

    private static ParamGroup Group(JsonElement json, Tensor w, Tensor v)
    {
        var parameters = json.GetProperty("params").EnumerateArray().Select(n => n.GetString() == "W" ? w : v).ToArray();
        var group = new ParamGroup(parameters);
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "params":
                    break;
                case "lr":
                    group.LearningRate = value.GetDouble();
                    break;
                case "momentum":
                    group.Momentum = value.GetDouble();
                    break;
                case "dampening":
                    group.Dampening = value.GetDouble();
                    break;
                case "weight_decay":
                    group.WeightDecay = value.GetDouble();
                    break;
                case "betas":
                    group.Betas = (value[0].GetDouble(), value[1].GetDouble());
                    break;
                case "eps":
                    group.Eps = value.GetDouble();
                    break;
                case "amsgrad":
                    group.Amsgrad = value.GetBoolean();
                    break;
                case "alpha":
                    group.Alpha = value.GetDouble();
                    break;
                case "centered":
                    group.Centered = value.GetBoolean();
                    break;
                case "lr_decay":
                    group.LrDecay = value.GetDouble();
                    break;
                default:
                    throw new InvalidDataException($"unknown group option {property.Name}");
            }
        }

        return group;
    }

    private static IEnumerable<string> Names(string section)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optim.json")));
        return document.RootElement.GetProperty(section).EnumerateArray()
            .Select(c => c.GetProperty("name").GetString()!).ToArray();
    }

    private static JsonElement Case(string section, string name) =>
        Root.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static Tensor Leaf(string key, DType dtype, params int[] shape)
    {
        var tensor = Constant(key, dtype, shape);
        tensor.RequiresGrad = true;
        return tensor;
    }

    private static Tensor Constant(string key, DType dtype, params int[] shape)
    {
        var values = Root.GetProperty(key).Doubles();
        return dtype == DType.Float64
            ? Tensor.FromArray(values, shape)
            : Tensor.FromArray(values.Select(x => (float)x).ToArray(), shape);
    }
}
