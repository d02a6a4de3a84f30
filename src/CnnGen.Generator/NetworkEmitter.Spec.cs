using System.Collections.Generic;
using CnnGen.Ir;

namespace CnnGen.Generator;

internal static partial class NetworkEmitter
{
    /// <summary>The LayerSpec constructor call for an op, naming only what differs from the defaults.</summary>
    private sealed class SpecExpression : IOpVisitor<string>
    {
        public static readonly SpecExpression Instance = new();

        private const string Namespace = "global::CnnGen.";

        public string Convolution(ConvolutionOp l)
        {
            var init = new List<string>();
            if (l.SpatialRank == 1) return Convolution1D(l, init);
            if (l.InChannels is int inChannels) init.Add($"InChannels = {inChannels}");
            Add(init, "StrideHeight", l.StrideHeight, 1);
            Add(init, "StrideWidth", l.StrideWidth, 1);
            Add(init, "PadTop", l.PadTop, 0);
            Add(init, "PadBottom", l.PadBottom, 0);
            Add(init, "PadLeft", l.PadLeft, 0);
            Add(init, "PadRight", l.PadRight, 0);
            Add(init, "DilationHeight", l.DilationHeight, 1);
            Add(init, "DilationWidth", l.DilationWidth, 1);
            Add(init, "Groups", l.Groups, 1);
            if (!l.Bias) init.Add("Bias = false");
            AddPaddingMode(init, l);
            return With(l, $"new {Namespace}Conv2DSpec({l.Filters}, {l.KernelHeight}, {l.KernelWidth})", init);
        }

        private string Convolution1D(ConvolutionOp l, List<string> init)
        {
            if (l.InChannels is int inChannels) init.Add($"InChannels = {inChannels}");
            Add(init, "Stride", l.StrideWidth, 1);
            Add(init, "PadLeft", l.PadLeft, 0);
            Add(init, "PadRight", l.PadRight, 0);
            Add(init, "Dilation", l.DilationWidth, 1);
            Add(init, "Groups", l.Groups, 1);
            if (!l.Bias) init.Add("Bias = false");
            AddPaddingMode(init, l);
            return With(l, $"new {Namespace}Conv1DSpec({l.Filters}, {l.KernelWidth})", init);
        }

        private static void AddPaddingMode(List<string> init, ConvolutionOp l)
        {
            if (l.Border != PadMode.Zeros) init.Add("PaddingMode = " + Literal.String(PadModes.Name(l.Border)));
        }

        public string Pad(PadOp l)
        {
            var init = new List<string>();
            if (l.SpatialRank == 1)
            {
                Add(init, "PadLeft", l.PadLeft, 0);
                Add(init, "PadRight", l.PadRight, 0);
                return With(l, $"new {Namespace}Pad1DSpec({Literal.String(PadModes.Name(l.Mode))})", init);
            }
            Add(init, "PadTop", l.PadTop, 0);
            Add(init, "PadBottom", l.PadBottom, 0);
            Add(init, "PadLeft", l.PadLeft, 0);
            Add(init, "PadRight", l.PadRight, 0);
            return With(l, $"new {Namespace}Pad2DSpec({Literal.String(PadModes.Name(l.Mode))})", init);
        }

        public string ConvTranspose(ConvTransposeOp l)
        {
            var init = new List<string>();
            if (l.InChannels is int inChannels) init.Add($"InChannels = {inChannels}");
            Add(init, "StrideHeight", l.StrideHeight, 1);
            Add(init, "StrideWidth", l.StrideWidth, 1);
            Add(init, "PaddingHeight", l.PaddingHeight, 0);
            Add(init, "PaddingWidth", l.PaddingWidth, 0);
            Add(init, "OutputPaddingHeight", l.OutputPaddingHeight, 0);
            Add(init, "OutputPaddingWidth", l.OutputPaddingWidth, 0);
            Add(init, "DilationHeight", l.DilationHeight, 1);
            Add(init, "DilationWidth", l.DilationWidth, 1);
            Add(init, "Groups", l.Groups, 1);
            if (!l.Bias) init.Add("Bias = false");
            return With(l, $"new {Namespace}ConvTranspose2DSpec({l.Filters}, {l.KernelHeight}, {l.KernelWidth})", init);
        }

        public string Upsample(UpsampleOp l)
        {
            var init = new List<string>();
            if (l.Mode != "nearest") init.Add("Mode = " + Literal.String(l.Mode!));
            if (l.AlignCorners) init.Add("AlignCorners = true");
            return With(l, $"new {Namespace}UpsampleSpec({l.ScaleHeight}, {l.ScaleWidth})", init);
        }

        public string PixelShuffle(PixelShuffleOp l) => With(l, $"new {Namespace}PixelShuffleSpec({l.Factor})", new List<string>());

        public string ChannelSlice(ChannelSliceOp l) => With(l, $"new {Namespace}ChannelSliceSpec({l.Start}, {l.Length})", new List<string>());

        public string ChannelShuffle(ChannelShuffleOp l) => With(l, $"new {Namespace}ChannelShuffleSpec({l.Groups})", new List<string>());

        public string ChannelPad(ChannelPadOp l) => With(l, $"new {Namespace}ChannelPadSpec({l.Before}, {l.After})", new List<string>());

        // a step the planner adds: no graph holds one
        public string ChannelRepeat(ChannelRepeatOp l) => throw new System.InvalidOperationException("A channel repeat is a plan's step, not a layer.");

        public string Pool(PoolOp l)
        {
            var init = new List<string>();
            if (l.SpatialRank == 1)
            {
                Add(init, "Stride", l.StrideWidth, l.KernelWidth);
                Add(init, "Padding", l.PaddingWidth, 0);
                if (l.CeilMode) init.Add("CeilMode = true");
                if (!l.CountIncludePad) init.Add("CountIncludePad = false");
                Add(init, "Dilation", l.DilationWidth, 1);
                return With(l, $"new {Namespace}Pool1DSpec({PoolKind(l.Reduction)}, {l.KernelWidth})", init);
            }
            Add(init, "StrideHeight", l.StrideHeight, l.KernelHeight);
            Add(init, "StrideWidth", l.StrideWidth, l.KernelWidth);
            Add(init, "PaddingHeight", l.PaddingHeight, 0);
            Add(init, "PaddingWidth", l.PaddingWidth, 0);
            if (l.CeilMode) init.Add("CeilMode = true");
            if (!l.CountIncludePad) init.Add("CountIncludePad = false");
            Add(init, "DilationHeight", l.DilationHeight, 1);
            Add(init, "DilationWidth", l.DilationWidth, 1);
            return With(l, $"new {Namespace}Pool2DSpec({PoolKind(l.Reduction)}, {l.KernelHeight}, {l.KernelWidth})", init);
        }

        public string GlobalPool(GlobalPoolOp l) => With(l, $"new {Namespace}GlobalPool{l.SpatialRank}DSpec({PoolKind(l.Reduction)})", new List<string>());

        public string AdaptivePool(AdaptivePoolOp l) => l.SpatialRank == 1
            ? With(l, $"new {Namespace}AdaptivePool1DSpec({PoolKind(l.Reduction)}, {l.OutputWidth})", new List<string>())
            : With(l, $"new {Namespace}AdaptivePool2DSpec({PoolKind(l.Reduction)}, {l.OutputHeight}, {l.OutputWidth})", new List<string>());

        public string Dense(DenseOp l)
        {
            var init = new List<string>();
            if (l.Inputs is int inputs) init.Add($"Inputs = {inputs}");
            if (!l.Bias) init.Add("Bias = false");
            if (l.InputsFirst) init.Add("InputsFirst = true");
            return With(l, $"new {Namespace}DenseSpec({l.Outputs})", init);
        }

        public string BatchNorm(BatchNormOp l)
        {
            var init = new List<string>();
            if (l.Epsilon != 1e-5f) init.Add("Epsilon = " + Literal.Float(l.Epsilon));
            if (!l.Affine) init.Add("Affine = false");
            if (l.Channels is int channels) init.Add($"Channels = {channels}");
            return With(l, $"new {Namespace}BatchNorm{l.SpatialRank}DSpec()", init);
        }

        public string Activation(ActivationOp l)
        {
            var init = new List<string>();
            void AddFloat(string name, float value, float defaultValue)
            {
                if (!value.Equals(defaultValue)) init.Add($"{name} = {Literal.Float(value)}");
            }
            switch (l.Function)
            {
                case Ir.Activation.LeakyReLU:
                    init.Add("NegativeSlope = " + Literal.Float(l.NegativeSlope));
                    break;
                case Ir.Activation.Hardtanh:
                    AddFloat("Min", l.Min, -1f);
                    AddFloat("Max", l.Max, 1f);
                    break;
                case Ir.Activation.ELU:
                    AddFloat("Alpha", l.Alpha, 1f);
                    break;
                case Ir.Activation.Softplus:
                    AddFloat("Beta", l.Beta, 1f);
                    AddFloat("Threshold", l.Threshold, 20f);
                    break;
                case Ir.Activation.GELU:
                    if (l.Approximate != "none") init.Add("Approximate = " + Literal.String(l.Approximate!));
                    break;
                case Ir.Activation.ReLU or Ir.Activation.Sigmoid or Ir.Activation.Tanh or Ir.Activation.ReLU6 or Ir.Activation.Hardsigmoid or
                    Ir.Activation.Hardswish or Ir.Activation.SiLU or Ir.Activation.Mish or Ir.Activation.SELU:
                    break;
            }
            return With(l, $"new {Namespace}ActivationSpec({Namespace}ActivationKind.{l.Function})", init);
        }

        public string PReLU(PReLUOp l)
        {
            var init = new List<string>();
            Add(init, "Parameters", l.Parameters, 1);
            return With(l, $"new {Namespace}PReLUSpec()", init);
        }

        public string Flatten(FlattenOp l) => With(l, $"new {Namespace}FlattenSpec()", new List<string>());

        public string Dropout(DropoutOp l)
        {
            var init = new List<string>();
            if (l.P != 0.5f) init.Add("P = " + Literal.Float(l.P));
            return With(l, $"new {Namespace}DropoutSpec()", init);
        }

        public string Identity(IdentityOp l) => With(l, $"new {Namespace}IdentitySpec()", new List<string>());

        public string Softmax(SoftmaxOp l) => With(l, l.Log ? $"new {Namespace}LogSoftmaxSpec()" : $"new {Namespace}SoftmaxSpec()", new List<string>());

        // a declared network's joins come from its blocks (BlockSpecs); only a graph's nodes (an imported model's) name them
        public string Add(AddOp l) => With(l, $"new {Namespace}JoinSpec({Namespace}JoinKind.Add)", new List<string>());

        public string Concat(ConcatOp l) => With(l, $"new {Namespace}JoinSpec({Namespace}JoinKind.Concat)", new List<string>());

        public string Multiply(MultiplyOp l) => With(l, $"new {Namespace}JoinSpec({Namespace}JoinKind.Multiply)", new List<string>());

        private static void Add(List<string> init, string name, int value, int defaultValue)
        {
            if (value != defaultValue) init.Add($"{name} = {value}");
        }

        private static string PoolKind(Reduction reduction) => reduction switch
        {
            Reduction.Max => Namespace + "PoolKind.Max",
            Reduction.Average => Namespace + "PoolKind.Average",
            Reduction.Min => Namespace + "PoolKind.Min",
        };

        /// <summary>An item of the declaration: a layer's spec, or a block's with its parts' items nested.</summary>
        public static string Item(Item item, string indent) => item switch
        {
            LayerItem layer => layer.Op.Accept(Instance),
            BlockItem block => Block(block, indent),
            _ => throw new System.InvalidOperationException("Unknown item " + item.GetType().Name),
        };

        private static string Block(BlockItem block, string indent)
        {
            var init = new List<string>();
            // a switch expression: a new BlockKind is a compile error here (CS8509)
            string constructor = block.Block switch
            {
                BlockKind.Sequential => $"new {Namespace}SequentialSpec({Items(block.Parts[0], indent)})",
                BlockKind.Residual => $"new {Namespace}ResidualSpec({Items(block.Parts[0], indent)})",
                BlockKind.Concat => $"new {Namespace}ConcatSpec({string.Join(", ", System.Linq.Enumerable.Select(block.Parts, p => Items(p, indent)))})",
                BlockKind.Multiply => $"new {Namespace}MultiplySpec({Items(block.Parts[0], indent)})",
            };
            if (block.Shortcut is { } shortcut) init.Add("Shortcut = " + Items(shortcut, indent));
            if (block.Block == BlockKind.Residual && block.ShortcutName != "shortcut") init.Add("ShortcutName = " + Literal.String(block.ShortcutName));
            if (block.IncludeInput) init.Add("IncludeInput = true");
            if (block.ModuleName is not null) init.Add("ModuleName = " + Literal.String(block.ModuleName));
            return init.Count == 0 ? constructor : constructor + " { " + string.Join(", ", init) + " }";
        }

        /// <summary>"new LayerSpec[] { ... }" with one item a line, indented one level deeper than <paramref name="indent"/>.</summary>
        public static string Items(Sequence sequence, string indent)
        {
            string inner = indent + "    ";
            var text = new System.Text.StringBuilder($"new {Namespace}LayerSpec[]\n{inner}{{\n");
            foreach (var item in sequence.Items) text.Append(inner).Append("    ").Append(Item(item, inner + "    ")).Append(",\n");
            return text.Append(inner).Append('}').ToString();
        }

        /// <summary>The constructor with its initializers, the module's name among them.</summary>
        private static string With(Op op, string constructor, List<string> init)
        {
            if (op.Name is not null) init.Add("ModuleName = " + Literal.String(op.Name));
            return init.Count == 0 ? constructor : constructor + " { " + string.Join(", ", init) + " }";
        }
    }
}
