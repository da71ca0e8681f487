using System.Globalization;
using System.Text;

namespace Autograd.Examples.Common;

/// <summary>Prints tensors as rows of fixed-width numbers, like PyTorch's repr.</summary>
public static class TensorFormat
{
    public static string Matrix(Tensor t, int decimals = 4)
    {
        double[] values = t.ToArray<double>();
        int columns = t.Rank == 0 ? 1 : t.Shape[^1];
        var text = new StringBuilder();
        for (int start = 0; start < values.Length; start += columns)
        {
            text.Append("  [");
            for (int j = 0; j < columns; j++)
            {
                text.Append(values[start + j].ToString("F" + decimals, CultureInfo.InvariantCulture).PadLeft(decimals + 5));
            }

            text.AppendLine(" ]");
        }

        return text.ToString().TrimEnd();
    }
}
