namespace Autograd.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' values, elementwise.</summary>
public enum ReduceOp
{
    /// <summary>The sum over ranks.</summary>
    Sum,

    /// <summary>The maximum over ranks.</summary>
    Max,

    /// <summary>The minimum over ranks.</summary>
    Min,
}
