namespace CnnGen.CodeFixes;

/// <summary>
/// The generator's diagnostics these fixes answer, and the property it fills in for them. The
/// generator is a separate assembly the IDE loads on its own, so the IDs are repeated here; the code
/// fix tests take every diagnostic from the real generator, so a drift between the two fails them.
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>Conv2D InChannels disagrees with the channels the previous layer produces.</summary>
    public const string InChannelsMismatch = "CNN0008";

    /// <summary>Dense applied to a feature map that was not flattened.</summary>
    public const string DenseNeedsFlatten = "CNN0011";

    /// <summary>Dense Inputs disagrees with the features the previous layer produces.</summary>
    public const string DenseInputsMismatch = "CNN0012";

    /// <summary>BatchNorm2D Channels, or PReLU Parameters, disagrees with the channels the previous layer produces.</summary>
    public const string ChannelsMismatch = "CNN0019";

    /// <summary>The diagnostic property (NetworkGenerator.CorrectValueProperty) with the value the previous layer produces.</summary>
    public const string CorrectValueProperty = "Expected";
}
