namespace Autograd.Examples.Common;

/// <summary>Classification metrics computed from logits.</summary>
public static class Metrics
{
    /// <summary>The index of the largest logit in each row of <paramref name="logits"/> [N, C].</summary>
    public static int[] ArgMax(Tensor logits)
    {
        var shape = logits.Shape;
        int rows = shape[0], classes = shape[1];
        var values = logits.ToArray<float>();
        var predictions = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            var row = values.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            predictions[i] = best;
        }

        return predictions;
    }

    /// <summary>How many rows of <paramref name="logits"/> have their largest logit at the label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        var predictions = ArgMax(logits);
        var correct = 0;
        for (var i = 0; i < predictions.Length; i++)
        {
            if (predictions[i] == labels[i])
            {
                correct++;
            }
        }

        return correct;
    }
}
