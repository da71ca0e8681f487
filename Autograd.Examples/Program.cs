using System.Globalization;
using Autograd.Examples.CharTransformer;
using Autograd.Examples.Common;
using Autograd.Examples.FashionMnist;
using Autograd.Examples.FashionMnistCnn;
using Autograd.Examples.Seed;
using Autograd.Examples.Spiral;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var example = args.Length > 0 ? args[0] : "spiral";
var rest = args.Skip(1).ToArray();
try
{
    switch (example)
    {
        case "spiral":
            return SpiralExample.Run(rest, Console.Out);
        case "fashion-mnist":
            return FashionMnistExample.Run(rest, Console.Out);
        case "fashion-mnist-cnn":
            return FashionMnistCnnExample.Run(rest, Console.Out);
        case "char-transformer":
            return CharTransformerExample.Run(rest, Console.Out);
        case "seed":
            SeedNetwork.Run(Console.Out);
            return ExitCodes.Success;
        case "--help" or "-h" or "help":
            PrintHelp(Console.Out);
            return ExitCodes.Success;
        default:
            Console.Error.WriteLine($"Unknown example '{example}'.");
            PrintHelp(Console.Error);
            return ExitCodes.Usage;
    }
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return ExitCodes.Usage;
}

static void PrintHelp(TextWriter output)
{
    output.WriteLine("usage: dotnet run -c Release --project Autograd.Examples -- [EXAMPLE] [OPTIONS]");
    output.WriteLine();
    output.WriteLine("Examples:");
    output.WriteLine("  spiral          (default) 3-class spiral, 2-layer net, SGD; writes its loss curve and decision regions as CSV");
    output.WriteLine("                  " + SpiralExample.Usage);
    output.WriteLine("  fashion-mnist   784-256-128-10 MLP with Adam on Fashion-MNIST; saves safetensors weights");
    output.WriteLine("                  " + FashionMnistExample.Usage);
    output.WriteLine("  fashion-mnist-cnn  two conv blocks with BatchNorm and max-pooling, dropout, linear head; Adam");
    output.WriteLine("                  " + FashionMnistCnnExample.Usage);
    output.WriteLine("  char-transformer  character-level GPT on the King James Bible (apt-get install bible-kjv); AdamW, warmup, cosine");
    output.WriteLine("                  " + CharTransformerExample.Usage);
    output.WriteLine("  seed            the seed network worked by hand: every intermediate and gradient");
    output.WriteLine();
    output.WriteLine("The examples write their curves as CSV in --out (out/); draw them as PNGs with");
    output.WriteLine("  dotnet run -c Release --project Autograd.Examples.Plots -- [DIR (out)]");
}
