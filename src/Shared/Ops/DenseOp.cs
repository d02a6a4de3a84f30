// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>
/// A fully connected layer, as nn.Linear: weight [Outputs, Inputs], then bias [Outputs]; with
/// <see cref="InputsFirst"/> the weight is [Inputs, Outputs], as ONNX's MatMul (and Gemm with transB = 0) keeps it.
/// </summary>
internal sealed record DenseOp(int Outputs) : Op
{
    public bool Bias { get; init; } = true;

    /// <summary>Whether the weight is stored [Inputs, Outputs] (x @ W) rather than nn.Linear's [Outputs, Inputs].</summary>
    public bool InputsFirst { get; init; }

    /// <summary>Inputs as the user declared them; null when not declared.</summary>
    public int? Inputs { get; init; }

    public override string Kind => "Dense";

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        if (!input.IsFlat)
        {
            context.Report(ShapeProblemKind.DenseNeedsFlatten, null, context.Where, context.Index, context.Source, input.Described);
            return input;
        }
        context.Positive("Outputs", Outputs);
        if (context.Failed) return input;
        if (Inputs is int declared && declared != input.Length)
        {
            context.Report(ShapeProblemKind.DenseInputsMismatch, "Inputs", context.Where, context.Index, declared, context.Source, input.Length);
            return input;
        }
        if (!context.Fits("the weight", Outputs, input.Length)) return input;
        if (InputsFirst) context.Tensor("weight", false, input.Length, Outputs);
        else context.Tensor("weight", false, Outputs, input.Length);
        if (Bias) context.Tensor("bias", false, Outputs);
        return FeatureShape.Vector(Outputs);
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Dense(this);
}
