using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using CnnGen.Build;
using CnnGen.Onnx;
using CnnGen.Tests.Generator;
using Xunit;

namespace CnnGen.Tests.Onnx;

/// <summary>The ONNX files the tests read: the repository's own, and ONNX's backend test suite as Debian installs it.</summary>
internal static class OnnxFiles
{
    /// <summary>Debian's libonnx-testdata: node/*, pytorch-converted/*, pytorch-operator/*, simple/*, each a model.onnx and test_data_set_*/{input,output}_*.pb.</summary>
    public const string TestData = "/usr/share/libonnx-testdata/data";

    public static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    /// <summary>Every .onnx file of the repository's fixtures (PyTorch exports), relative to the repository root.</summary>
    public static IReadOnlyList<string> RepositoryModels()
    {
        string root = RepositoryRoot();
        return new[] { "tests/fixtures", "benchmarks/CnnGen.Benchmarks/fixtures", "samples" }
            .Select(folder => Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.onnx", SearchOption.AllDirectories))
            .Where(path => !path.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) && !path.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar))
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .OrderBy(path => path, StringComparer.Ordinal)
            .ToList();
    }

    public static TheoryData<string> RepositoryModelData()
    {
        var data = new TheoryData<string>();
        foreach (var path in RepositoryModels()) data.Add(path);
        return data;
    }

    public static byte[] ReadRepositoryFile(string relative) => File.ReadAllBytes(Path.Combine(RepositoryRoot(), relative));

    /// <summary>Reads a file that must read, failing the test with the reader's error otherwise.</summary>
    public static OnnxFileResult ReadModel(byte[] bytes, string context)
    {
        var result = OnnxProtobuf.Read(bytes);
        Assert.True(result.Succeeded, $"{context}: {result.Error}");
        return result;
    }

    /// <summary>Write, then read back: the text form's round trip, failing with the reader's error.</summary>
    public static OnnxModel RoundTrip(OnnxModel model, string context)
    {
        string text = OnnxText.Write(model);
        // printable ASCII lines: the generator gets the file as text in whatever encoding the build guesses
        for (int i = 0; i < text.Length; i++)
            if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7E)) Assert.Fail($"{context}: the text has U+{(int)text[i]:X4} at {i}");
        var back = OnnxText.Read(text);
        Assert.True(back.Succeeded, $"{context}: the text form does not read back: {back.Error}");
        return back.Model!;
    }

    /// <summary>The floats of a blob tensor, from the weights.</summary>
    public static float[] BlobFloats(byte[] weights, OnnxTensorData.Blob blob)
    {
        var values = new float[blob.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(weights, (int)blob.Offset + 4 * i);
        return values;
    }
}

/// <summary>
/// A fact that needs Debian's libonnx-testdata (and, with <see cref="NeedsPython"/>, the onnx Python package as its
/// oracle); skipped with that reason where it is not installed.
/// </summary>
public sealed class OnnxTestDataFactAttribute : FactAttribute
{
    public OnnxTestDataFactAttribute()
    {
        if (!Directory.Exists(OnnxFiles.TestData)) Skip = $"needs ONNX's backend test data: {OnnxFiles.TestData} is absent (apt-get install libonnx-testdata)";
    }

    public bool NeedsPython
    {
        get => false;
        init
        {
            if (value && Skip is null) Skip = new OnnxPythonFactAttribute().Skip;
        }
    }
}

/// <summary>A fact that needs the onnx Python package (Debian's python3-onnx) as its oracle; skipped with that reason where it is not installed.</summary>
public sealed class OnnxPythonFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            return TorchFactAttribute.RunPython("-c", "import onnx, numpy").ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public OnnxPythonFactAttribute()
    {
        if (!Available.Value) Skip = $"needs the onnx Python package: {TorchFactAttribute.Python} cannot import onnx (apt-get install python3-onnx)";
    }
}

/// <summary>A theory over the repository's ONNX files that needs the onnx Python package.</summary>
public sealed class OnnxPythonTheoryAttribute : TheoryAttribute
{
    public OnnxPythonTheoryAttribute()
    {
        var fact = new OnnxPythonFactAttribute();
        if (fact.Skip is not null) Skip = fact.Skip;
    }
}
