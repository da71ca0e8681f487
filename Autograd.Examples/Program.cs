using Autograd.Examples;

string example = args.Length > 0 ? args[0] : "seed";
switch (example)
{
    case "seed":
        SeedNetwork.Run(Console.Out);
        return 0;
    default:
        Console.Error.WriteLine($"Unknown example '{example}'. Available: seed");
        return 2;
}
