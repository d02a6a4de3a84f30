using CnnGen.Shapes;

namespace CnnGen.Generator;

/// <summary>
/// Where a window lies wholly inside the real input along one axis: outputs [Low, High) need no
/// bounds checks; the rest (the border) read padding and take the checked path.
/// </summary>
internal readonly record struct InteriorRange(int Low, int High)
{
    public bool IsEmpty => Low >= High;

    /// <summary>Outputs o with 0 &lt;= o*stride - padBefore and o*stride - padBefore + extent - 1 &lt;= size - 1.</summary>
    public static InteriorRange Of(int outputs, int size, int padBefore, int stride, int extent)
    {
        int low = (padBefore + stride - 1) / stride;
        int lastStart = size - extent + padBefore; // largest o*stride that still fits
        int high = lastStart < 0 ? 0 : lastStart / stride + 1;
        if (high > outputs) high = outputs;
        if (low > high) low = high;
        return new InteriorRange(low, high);
    }
}

/// <summary>Every constant a convolution's emitted loops need, derived once from the layer and its shapes.</summary>
internal sealed class ConvolutionPlan
{
    public ConvolutionPlan(LayerDefinition c, LayerShapes shapes)
    {
        Layer = c;
        Shapes = shapes;
        InChannels = shapes.Input.Channels;
        Height = shapes.Input.Height;
        Width = shapes.Input.Width;
        Filters = c.Filters;
        OutHeight = shapes.Output.Height;
        OutWidth = shapes.Output.Width;
        ChannelsPerGroup = InChannels / c.Groups;
        FiltersPerGroup = c.Filters / c.Groups;
        WindowSize = c.KernelHeight * c.KernelWidth;
        WeightOffset = shapes.Parameters[0].Offset;
        BiasOffset = c.Bias ? shapes.Parameters[1].Offset : -1;
        Rows = InteriorRange.Of(OutHeight, Height, c.PadTop, c.StrideHeight, c.DilationHeight * (c.KernelHeight - 1) + 1);
        Columns = InteriorRange.Of(OutWidth, Width, c.PadLeft, c.StrideWidth, c.DilationWidth * (c.KernelWidth - 1) + 1);
    }

    public LayerDefinition Layer { get; }
    public LayerShapes Shapes { get; }
    public int InChannels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Filters { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public int ChannelsPerGroup { get; }
    public int FiltersPerGroup { get; }
    public int WindowSize { get; }
    public int WeightOffset { get; }
    public int BiasOffset { get; }
    public InteriorRange Rows { get; }
    public InteriorRange Columns { get; }

    public bool IsPadded => Layer.PadTop + Layer.PadBottom + Layer.PadLeft + Layer.PadRight > 0;

    public int PaddedHeight => Height + Layer.PadTop + Layer.PadBottom;

    public int PaddedWidth => Width + Layer.PadLeft + Layer.PadRight;

    /// <summary>Filters summed together in registers: as many as divide a group's filters, at most 4 (x 2 rows: 8 accumulators fit any x64 register file).</summary>
    public int FilterBlock => FiltersPerGroup % 4 == 0 ? 4 : FiltersPerGroup % 2 == 0 ? 2 : 1;

    /// <summary>Multiply-adds in the whole layer.</summary>
    public long MultiplyAdds => (long)Filters * OutHeight * OutWidth * ChannelsPerGroup * WindowSize;

    /// <summary>Offset of tap (ky, kx) from the window's top-left input element.</summary>
    public int TapOffset(int ky, int kx) => ky * Layer.DilationHeight * Width + kx * Layer.DilationWidth;
}

/// <summary>The constants of a pooling layer's emitted loops.</summary>
internal sealed class PoolPlan
{
    public PoolPlan(LayerDefinition p, LayerShapes shapes)
    {
        Layer = p;
        Shapes = shapes;
        Channels = shapes.Input.Channels;
        Height = shapes.Input.Height;
        Width = shapes.Input.Width;
        OutHeight = shapes.Output.Height;
        OutWidth = shapes.Output.Width;
        Rows = InteriorRange.Of(OutHeight, Height, p.PadTop, p.StrideHeight, p.KernelHeight);
        Columns = InteriorRange.Of(OutWidth, Width, p.PadLeft, p.StrideWidth, p.KernelWidth);
    }

    public LayerDefinition Layer { get; }
    public LayerShapes Shapes { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int OutHeight { get; }
    public int OutWidth { get; }
    public InteriorRange Rows { get; }
    public InteriorRange Columns { get; }
}
