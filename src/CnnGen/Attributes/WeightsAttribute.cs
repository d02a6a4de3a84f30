using System;

namespace CnnGen;

/// <summary>
/// Gives an attribute-declared network (<see cref="InputShapeAttribute"/> and layers) its trained weights at build time:
/// the safetensors file, listed as <c>&lt;AdditionalFiles Include="path/net.safetensors" /&gt;</c>, is checked against
/// the network when the project builds (every tensor the network needs, with the right dtype and shape; others are
/// ignored, as LoadSafetensors ignores them) and embedded in the assembly, so <c>new Net()</c> is ready to run.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WeightsAttribute : Attribute
{
    /// <summary>The safetensors file, relative to the project directory as AdditionalFiles lists it ("weights/net.safetensors").</summary>
    public WeightsAttribute(string path) => Path = path;

    /// <summary>The file's path relative to the project directory.</summary>
    public string Path { get; }
}
