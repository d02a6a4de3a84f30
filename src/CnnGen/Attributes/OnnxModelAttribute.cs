using System;

namespace CnnGen;

/// <summary>
/// Marks a partial class as the network of an ONNX model file: at build time the package's targets turn the file
/// (listed as <c>&lt;AdditionalFiles Include="path/model.onnx" /&gt;</c>) into a text form the generator compiles
/// and embed its weights, so <c>new Net()</c> is ready to run. The input shape comes from the graph's input (its
/// batch dimension dropped); no <see cref="InputShapeAttribute"/> or layer attributes go with it.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OnnxModelAttribute : Attribute
{
    /// <summary>The model file, relative to the project directory as AdditionalFiles lists it ("models/net.onnx").</summary>
    public OnnxModelAttribute(string path) => Path = path;

    /// <summary>The model file's path relative to the project directory.</summary>
    public string Path { get; }
}
