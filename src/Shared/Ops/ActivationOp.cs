// Shared between the generator and the runtime library as a linked file.
namespace CnnGen.Ir;

/// <summary>The elementwise functions of the activation layers, each as its torch.nn module computes it in float32.</summary>
internal enum Activation
{
    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>x, or NegativeSlope * x below zero.</summary>
    LeakyReLU,

    /// <summary>1 / (1 + exp(-x)).</summary>
    Sigmoid,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>min(max(0, x), 6).</summary>
    ReLU6,

    /// <summary>min(max(Min, x), Max).</summary>
    Hardtanh,

    /// <summary>clamp(x / 6 + 1/2, 0, 1).</summary>
    Hardsigmoid,

    /// <summary>x * relu6(x + 3) / 6.</summary>
    Hardswish,

    /// <summary>x * sigmoid(x).</summary>
    SiLU,

    /// <summary>x * tanh(softplus(x)).</summary>
    Mish,

    /// <summary>x * Phi(x) (Approximate "none") or its tanh approximation.</summary>
    GELU,

    /// <summary>x above zero, Alpha * (exp(x) - 1) otherwise.</summary>
    ELU,

    /// <summary>scale * (x above zero, alpha * (exp(x) - 1) otherwise), PyTorch's constants.</summary>
    SELU,

    /// <summary>log(1 + exp(Beta * x)) / Beta, or x where Beta * x > Threshold.</summary>
    Softplus,
}

/// <summary>An activation layer; the fields other than <see cref="Function"/> matter only to the functions they name.</summary>
internal sealed record ActivationOp(Activation Function) : Op
{
    /// <summary>LeakyReLU's slope below zero.</summary>
    public float NegativeSlope { get; init; } = 0.01f;

    /// <summary>ELU's alpha.</summary>
    public float Alpha { get; init; } = 1f;

    /// <summary>Hardtanh's lower bound.</summary>
    public float Min { get; init; } = -1f;

    /// <summary>Hardtanh's upper bound.</summary>
    public float Max { get; init; } = 1f;

    /// <summary>Softplus's beta.</summary>
    public float Beta { get; init; } = 1f;

    /// <summary>Softplus's threshold, above which (Beta * x) it is linear.</summary>
    public float Threshold { get; init; } = 20f;

    /// <summary>GELU's approximation: "none" (the exact erf form) or "tanh"; anything else, null included, is invalid.</summary>
    public string? Approximate { get; init; } = "none";

    /// <summary>PyTorch's SELU constants (torch/nn/modules/activation.py and ATen's selu).</summary>
    public const double SeluAlpha = 1.6732632423543772848170429916717;
    public const double SeluScale = 1.0507009873554804934193349852946;

    public override string Kind => Function.ToString();

    public override bool IsElementwise => true;

    public bool UsesTanhApproximation => Function == Activation.GELU && Approximate == "tanh";

    /// <summary>
    /// Whether f(max(a, b)) = max(f(a), f(b)): the function never decreases, so a max pool after it
    /// may pool first and apply it to the pooled value only.
    /// </summary>
    public bool CommutesWithMaxPool => Function switch
    {
        Activation.ReLU or Activation.ReLU6 or Activation.Hardtanh or Activation.Hardsigmoid or Activation.Sigmoid or Activation.Tanh => true,
        Activation.LeakyReLU => NegativeSlope >= 0f,
        Activation.ELU => Alpha >= 0f,
        Activation.SELU => true,
        Activation.Softplus => Beta > 0f,
        Activation.Hardswish or Activation.SiLU or Activation.Mish or Activation.GELU => false,
    };

    public override FeatureShape Infer(InferenceContext context)
    {
        switch (Function)
        {
            case Activation.Hardtanh:
                if (!(Max > Min)) context.Invalid("Max", Max, $"greater than Min ({InferenceContext.FloatText(Min)})");
                break;
            case Activation.Softplus:
                if (Beta == 0f || float.IsNaN(Beta)) context.Invalid("Beta", Beta, "nonzero");
                break;
            case Activation.GELU:
                if (Approximate is not ("none" or "tanh")) context.Invalid("Approximate", CSharpText.Quote(Approximate), "\"none\" or \"tanh\"");
                break;
        }
        return context.Input;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.Activation(this);
}

/// <summary>nn.PReLU: x, or weight[c] * x below zero; Parameters is 1 (shared) or the channel count (the features of a vector).</summary>
internal sealed record PReLUOp(int Parameters) : Op
{
    public override string Kind => "PReLU";

    public override bool IsElementwise => true;

    public override FeatureShape Infer(InferenceContext context)
    {
        var input = context.Input;
        context.Positive("Parameters", Parameters);
        if (context.Failed) return input;
        if (Parameters != 1 && Parameters != input.Channels)
        {
            context.Report(ShapeProblemKind.PReLUParametersMismatch, "Parameters", context.Where, context.Index, Parameters, context.Source, input.Channels);
            return input;
        }
        context.Tensor("weight", false, Parameters);
        return input;
    }

    public override TResult Accept<TResult>(IOpVisitor<TResult> visitor) => visitor.PReLU(this);
}
