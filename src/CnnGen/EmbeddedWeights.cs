using System;
using System.Buffers.Binary;
using System.ComponentModel;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CnnGen;

/// <summary>
/// Reads the weights the build step embedded in a network's assembly ([OnnxModel], [Weights]): used by generated
/// constructors, not meant to be called directly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class EmbeddedWeights
{
    /// <summary>The resource's bytes, which must hold at least <paramref name="length"/> bytes.</summary>
    /// <exception cref="InvalidOperationException">The resource is missing: the project was built without the CnnGen package's build targets.</exception>
    /// <exception cref="InvalidDataException">The resource is shorter than the model's weights need.</exception>
    public static byte[] Read(Assembly assembly, string resource, long length)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resource);
        using var stream = assembly.GetManifestResourceStream(resource) ?? throw Missing(assembly, resource);
        if (stream.Length < length || stream.Length > int.MaxValue)
            throw new InvalidDataException($"The weights resource '{resource}' has {stream.Length} bytes; the model's weights need {length}. Rebuild the project.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The resource's stream: a safetensors file embedded for [Weights].</summary>
    /// <exception cref="InvalidOperationException">The resource is missing: the project was built without the CnnGen package's build targets.</exception>
    public static Stream Open(Assembly assembly, string resource)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resource);
        return assembly.GetManifestResourceStream(resource) ?? throw Missing(assembly, resource);
    }

    private static InvalidOperationException Missing(Assembly assembly, string resource) =>
        new($"The weights resource '{resource}' is not embedded in {assembly.GetName().Name}: the CnnGen package's build targets embed it when the file is in AdditionalFiles (reference the CnnGen package, not only its assemblies).");

    /// <summary>Copies <paramref name="count"/> little-endian floats from <paramref name="blob"/> at byte <paramref name="offset"/> into <paramref name="values"/> at <paramref name="at"/>.</summary>
    public static void Copy(byte[] blob, long offset, float[] values, int at, int count)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(values);
        var source = blob.AsSpan(checked((int)offset), checked(count * 4));
        var target = values.AsSpan(at, count);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(source).CopyTo(target);
            return;
        }
        for (int i = 0; i < count; i++) target[i] = BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i));
    }
}
