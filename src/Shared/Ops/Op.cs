// Shared between the generator and the runtime library as a linked file: the network IR's
// operations. Each op record is also its own rule: shape inference and validation (problems as
// data), the tensors it owns, and how it may fuse. Back-ends reach ops through IOpVisitor, whose
// one method per op makes the compiler list every back-end a new op must be taught to.
namespace CnnGen.Ir;

/// <summary>One operation of the network graph, with every hyperparameter resolved and defaults applied.</summary>
internal abstract record Op
{
    /// <summary>The user's module name (the attribute's Name), or null for the position.</summary>
    public string? Name { get; init; }

    /// <summary>The attribute's name as the user writes it: "Conv2D", "GELU".</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Checks the op against its input and returns its output shape, declaring its tensors in
    /// state_dict order. Problems go to the context; the returned shape is then meaningless.
    /// </summary>
    public abstract FeatureShape Infer(InferenceContext context);

    /// <summary>Whether y[i] depends on x[i] alone (and, per channel, on tensors): such ops may run in place or in a producer's store.</summary>
    public virtual bool IsElementwise => false;

    public abstract TResult Accept<TResult>(IOpVisitor<TResult> visitor);
}

/// <summary>A back-end's view of the ops: one method each, so a new op cannot be forgotten.</summary>
internal interface IOpVisitor<out TResult>
{
    TResult Convolution(ConvolutionOp op);

    TResult ConvTranspose(ConvTransposeOp op);

    TResult Pool(PoolOp op);

    TResult GlobalPool(GlobalPoolOp op);

    TResult AdaptivePool(AdaptivePoolOp op);

    TResult Dense(DenseOp op);

    TResult BatchNorm(BatchNormOp op);

    TResult Activation(ActivationOp op);

    TResult PReLU(PReLUOp op);

    TResult Flatten(FlattenOp op);

    TResult Dropout(DropoutOp op);

    TResult Identity(IdentityOp op);

    TResult Softmax(SoftmaxOp op);

    TResult Add(AddOp op);

    TResult Concat(ConcatOp op);

    TResult Multiply(MultiplyOp op);

    TResult Pad(PadOp op);

    TResult Upsample(UpsampleOp op);

    TResult PixelShuffle(PixelShuffleOp op);

    TResult ChannelSlice(ChannelSliceOp op);

    TResult ChannelShuffle(ChannelShuffleOp op);

    TResult ChannelPad(ChannelPadOp op);

    TResult ChannelRepeat(ChannelRepeatOp op);
}

/// <summary>Which reduction a pooling op applies.</summary>
internal enum Reduction
{
    Max,
    Average,
    Min,
}
