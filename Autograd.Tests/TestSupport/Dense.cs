namespace Autograd.Tests.TestSupport;

/// <summary>Plain row-major double matrices for hand-computed references, independent of the library.</summary>
internal static class Dense
{
    /// <summary>C[m,n] = A[m,k]·B[k,n], with A or B read transposed when asked (then stored [k,m] / [n,k]).</summary>
    public static double[] MatMul(double[] a, double[] b, int m, int k, int n, bool transA = false, bool transB = false)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (transA ? a[(p * m) + i] : a[(i * k) + p]) * (transB ? b[(j * k) + p] : b[(p * n) + j]);
                }

                c[(i * n) + j] = sum;
            }
        }

        return c;
    }

    /// <summary>x[r,c] + row[c] for every row.</summary>
    public static double[] AddRow(double[] x, double[] row) => x.Select((v, i) => v + row[i % row.Length]).ToArray();

    /// <summary>Σ over rows: [r,c] → [c].</summary>
    public static double[] SumRows(double[] x, int columns)
    {
        var sum = new double[columns];
        for (int i = 0; i < x.Length; i++)
        {
            sum[i % columns] += x[i];
        }

        return sum;
    }

    public static double[] Map(double[] x, Func<double, double> f) => x.Select(f).ToArray();

    public static double[] Zip(double[] x, double[] y, Func<double, double, double> f) => x.Zip(y, f).ToArray();
}
