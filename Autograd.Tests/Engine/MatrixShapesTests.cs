namespace Autograd.Tests.Engine;

/// <summary>MatrixShapes: shared [rows, columns] arrays, safe to look up from many threads at once.</summary>
public class MatrixShapesTests
{
    [Test]
    public void Of_ReturnsTheShape_AndTheSameArrayForTheSameShape()
    {
        int[] shape = MatrixShapes.Of(300, 100);
        Assert.That(shape, Is.EqualTo(new[] { 300, 100 }));
        Assert.That(MatrixShapes.Of(300, 100), Is.SameAs(shape));
    }

    [Test]
    public void Of_ManyThreadsManyColliding_ShapesAlwaysRight()
    {
        // 4 threads × 200 shapes over a 64-slot table: slots are replaced while others read them.
        int wrong = 0;
        Parallel.For(0, 4, thread =>
        {
            for (int round = 0; round < 200; round++)
            {
                for (int rows = 1; rows <= 20; rows++)
                {
                    int columns = ((rows * 7) + round + thread) % 10 + 1;
                    int[] shape = MatrixShapes.Of(rows, columns);
                    if (shape.Length != 2 || shape[0] != rows || shape[1] != columns)
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            }
        });
        Assert.That(wrong, Is.Zero);
    }
}
