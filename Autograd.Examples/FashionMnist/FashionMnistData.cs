namespace Autograd.Examples.FashionMnist;

/// <summary>One split of Fashion-MNIST as tensors: images [N, 784] scaled to [0, 1] then normalised, and labels.</summary>
public sealed record FashionMnistSplit(Tensor Images, int[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;
}

/// <summary>Finds and loads the four Fashion-MNIST IDX files.</summary>
public static class FashionMnistData
{
    /// <summary>Where <c>apt-get install dataset-fashion-mnist</c> puts the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Pixels per image (28×28).</summary>
    public const int Features = 28 * 28;

    /// <summary>Number of classes (T-shirt/top ... ankle boot).</summary>
    public const int Classes = 10;

    // Mean and standard deviation of the training pixels after scaling to [0, 1].
    private const float Mean = 0.2860f;
    private const float Std = 0.3530f;

    /// <summary>The class names, by label.</summary>
    public static readonly string[] ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The files of <paramref name="directory"/> that are missing (each may be gzipped, <c>.gz</c>, or not).</summary>
    public static IReadOnlyList<string> MissingFiles(string directory) =>
        [.. FileNames.Where(name => Resolve(directory, name) is null)];

    /// <summary>Loads the training split (60,000 images).</summary>
    public static FashionMnistSplit LoadTrain(string directory) => Load(directory, "train");

    /// <summary>Loads the test split (10,000 images).</summary>
    public static FashionMnistSplit LoadTest(string directory) => Load(directory, "t10k");

    private static IEnumerable<string> FileNames =>
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static string? Resolve(string directory, string name) =>
        new[] { name + ".gz", name }.Select(n => Path.Combine(directory, n)).FirstOrDefault(File.Exists);

    private static FashionMnistSplit Load(string directory, string prefix)
    {
        var imagesPath = Resolve(directory, prefix + "-images-idx3-ubyte")
            ?? throw new FileNotFoundException($"No {prefix} images in {directory}.");
        var labelsPath = Resolve(directory, prefix + "-labels-idx1-ubyte")
            ?? throw new FileNotFoundException($"No {prefix} labels in {directory}.");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath, Classes);
        if (images.Rows * images.Columns != Features)
        {
            throw new InvalidDataException($"{imagesPath}: images are {images.Rows}×{images.Columns}, expected 28×28.");
        }

        if (images.Count != labels.Length)
        {
            throw new InvalidDataException($"{imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels.");
        }

        var pixels = new float[images.Pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (images.Pixels[i] / 255f - Mean) / Std;
        }

        return new FashionMnistSplit(Tensor.FromArray(pixels, images.Count, Features), labels);
    }
}
