// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// nn.BatchNorm2d in eval mode: y = (x - running_mean) / sqrt(running_var + Epsilon) * weight + bias,
/// per channel. Tensors weight and bias (when Affine), then the buffers running_mean and running_var.
/// With <see cref="SpatialRank"/> 1 it is nn.BatchNorm1d: per channel of a C x L sequence, or per feature of a vector.
/// </summary>
internal sealed record BatchNormOp : Op
{
    /// <summary>2 for BatchNorm2D on maps, 1 for BatchNorm1D on sequences and vectors.</summary>
    public int SpatialRank { get; init; } = 2;

    public float Epsilon { get; init; } = 1e-5f;
    public bool Affine { get; init; } = true;

    /// <summary>Channels as the user declared them (num_features); null when not declared.</summary>
    public int? Channels { get; init; }

    public override string Kind => SpatialRank == 1 ? "BatchNorm1D" : "BatchNorm2D";

    public override bool IsElementwise => true;

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        // nn.BatchNorm1d takes [N, C, L] or [N, C]: a vector's features are its channels
        if (!(SpatialRank == 1 && input.IsFlat) && !context.NeedsSpatial(SpatialRank)) return input;
        if (!(Epsilon >= 0f) || float.IsInfinity(Epsilon)) context.Invalid("Epsilon", Epsilon, "a finite number, 0 or more");
        if (context.Failed) return input;
        if (Channels is int declared && declared != input.Channels)
        {
            context.Report(ShapeProblemKind.ChannelsMismatch, "Channels", context.Where, context.Index, "Channels", declared, context.Source, input.Channels);
            return input;
        }
        if (Affine)
        {
            context.Tensor("weight", false, input.Channels);
            context.Tensor("bias", false, input.Channels);
        }
        context.Tensor("running_mean", true, input.Channels);
        context.Tensor("running_var", true, input.Channels);
        return input;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.BatchNorm(this);
}
