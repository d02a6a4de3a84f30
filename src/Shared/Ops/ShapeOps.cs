// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>nn.Flatten: the same floats in C order, seen as a vector.</summary>
internal sealed record FlattenOp : Op
{
    public override string Kind => "Flatten";

    public override FeatureShape Infer(InferenceContext context) => FeatureShape.Vector(context.Input.Length);

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Flatten(this);
}

/// <summary>nn.Dropout in eval mode: the identity. P is checked as PyTorch checks it, then has no effect.</summary>
internal sealed record DropoutOp(float P) : Op
{
    public override string Kind => "Dropout";

    public override FeatureShape Infer(InferenceContext context)
    {
        if (!(P >= 0f && P <= 1f)) context.Invalid("P", P, "between 0 and 1");
        return context.Input;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Dropout(this);
}

/// <summary>nn.Identity: a placeholder module that counts in the positions.</summary>
internal sealed record IdentityOp : Op
{
    public override string Kind => "Identity";

    public override FeatureShape Infer(InferenceContext context) => context.Input;

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Identity(this);
}

/// <summary>nn.Softmax(dim=1) or nn.LogSoftmax(dim=1): over a vector, or over the channels at each pixel of a map.</summary>
internal sealed record SoftmaxOp(bool Log) : Op
{
    public override string Kind => Log ? "LogSoftmax" : "Softmax";

    public override FeatureShape Infer(InferenceContext context) => context.Input;

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Softmax(this);
}
