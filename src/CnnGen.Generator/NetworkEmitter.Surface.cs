using System.Collections.Generic;
using CnnGen.Generator.Model;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>
/// The class's public surface, written once for two emitters: a valid network's class, and the stand-in
/// of a network with an error, which declares the same members (so the user's code that uses them
/// compiles and only the error shows) with bodies that throw.
/// </summary>
internal static partial class NetworkEmitter
{
    /// <summary>A public member's doc comment and signature.</summary>
    private sealed record Member(string Signature, params string[] Docs);

    private static readonly Member LoadParametersMember = new(
        $"public void LoadParameters({ReadOnlySpan} values)",
        "/// <summary>Loads the state: the state_dict's float tensors in order (per layer its parameters, weight in PyTorch's layout then bias, then its buffers).</summary>",
        "/// <exception cref=\"global::System.ArgumentException\">The span does not hold exactly <see cref=\"ParameterCount\"/> floats; nothing is loaded.</exception>",
        "/// <exception cref=\"global::System.InvalidOperationException\">Another thread is running Forward, ForwardBatch or LoadParameters on this instance; nothing is loaded.</exception>");

    // the file is read before the instance is claimed: only the copy into it excludes other calls
    private const string LoadWhileBusy = "/// <exception cref=\"global::System.InvalidOperationException\">Another thread is running Forward, ForwardBatch or LoadParameters (or another load's copy) on this instance when the parameters are copied in; nothing is loaded.</exception>";

    private static readonly Member LoadSafetensorsFromPath = new(
        "public void LoadSafetensors(string path)",
        "/// <summary>Loads the F32 tensors that <c>safetensors.torch.save_file(model.state_dict(), path)</c> writes for the equivalent nn.Sequential (\"0.weight\", \"0.bias\", ...); other tensors are ignored. The file is read and checked before the instance is claimed, so a Forward may run meanwhile, with the parameters loaded before.</summary>",
        "/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"path\"/> is null.</exception>",
        "/// <exception cref=\"global::System.IO.FileNotFoundException\">The file does not exist; this and the other errors of opening it (DirectoryNotFoundException, UnauthorizedAccessException, IOException) come from FileStream unchanged.</exception>",
        "/// <exception cref=\"global::System.IO.InvalidDataException\">The file is corrupt or lacks a tensor of the right name, dtype and shape; nothing is loaded.</exception>",
        LoadWhileBusy);

    private static readonly Member LoadSafetensorsFromStream = new(
        "public void LoadSafetensors(global::System.IO.Stream stream)",
        "/// <summary>Loads parameters from a safetensors stream, as <see cref=\"LoadSafetensors(string)\"/> does from a file (a stream that cannot seek may carry at most 1 GiB besides the network's tensors).</summary>",
        "/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"stream\"/> is null.</exception>",
        "/// <exception cref=\"global::System.ArgumentException\">The stream cannot be read (closed, or write-only).</exception>",
        "/// <exception cref=\"global::System.IO.InvalidDataException\">The stream is corrupt or lacks a tensor of the right name, dtype and shape; nothing is loaded.</exception>",
        "/// <exception cref=\"global::System.IO.IOException\">The stream itself failed; nothing is loaded.</exception>",
        LoadWhileBusy);

    private static readonly Member ForwardMember = new(
        $"public void Forward({ReadOnlySpan} input, {Span} output)",
        "/// <summary>Runs one sample (NCHW) through the network. An instance takes one call at a time: it owns its scratch buffers.</summary>",
        "/// <exception cref=\"global::System.ArgumentException\">A span has the wrong length, or the two overlap.</exception>",
        "/// <exception cref=\"global::System.InvalidOperationException\">Another thread is running Forward, ForwardBatch or LoadParameters on this instance.</exception>");

    private static readonly Member ForwardBatchMember = new(
        $"public void ForwardBatch({ReadOnlySpan} inputs, {Span} outputs)",
        "/// <summary>Runs N samples stored back to back (N is inputs.Length / InputLength) on up to <see cref=\"global::System.Environment.ProcessorCount\"/> threads.</summary>",
        "/// <exception cref=\"global::System.ArgumentException\">The lengths do not describe the same whole number of samples.</exception>");

    private static readonly Member ForwardBatchOnThreads = new(
        $"public void ForwardBatch({ReadOnlySpan} inputs, {Span} outputs, int maxDegreeOfParallelism)",
        "/// <summary>Runs N samples stored back to back on at most <paramref name=\"maxDegreeOfParallelism\"/> threads (and no more than <see cref=\"global::System.Environment.ProcessorCount\"/>); 1 runs them on the calling thread and allocates nothing.</summary>",
        "/// <exception cref=\"global::System.ArgumentException\">The lengths do not describe the same whole number of samples.</exception>",
        "/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"maxDegreeOfParallelism\"/> is less than 1.</exception>",
        "/// <exception cref=\"global::System.InvalidOperationException\">Another thread is running Forward, ForwardBatch or LoadParameters on this instance.</exception>");

    private static readonly Member SpecMember = new(
        "public static global::CnnGen.NetworkSpec Spec",
        "/// <summary>The network as runtime data, e.g. for <see cref=\"global::CnnGen.Reference.ReferenceNetwork\"/>.</summary>");

    /// <summary>The member's doc comment, then its signature opening a block body.</summary>
    private static SourceWriter.Block OpenMember(SourceWriter w, Member member)
    {
        foreach (var line in member.Docs) w.WriteLine(line);
        return w.OpenBlock(member.Signature);
    }

    /// <summary>The member's doc comment, then its signature and the rest of its declaration on one line ("=> ...;").</summary>
    private static void WriteMember(SourceWriter w, Member member, string rest)
    {
        foreach (var line in member.Docs) w.WriteLine(line);
        w.WriteLine(member.Signature + " " + rest);
    }

    /// <summary>The file's start down to the class's opening brace: namespace, enclosing types, the class implementing INetwork.</summary>
    private static Stack<SourceWriter.Block> OpenClass(SourceWriter w, NetworkClass target)
    {
        var scopes = new Stack<SourceWriter.Block>();
        if (target.Namespace is not null) scopes.Push(w.OpenBlock("namespace " + target.Namespace));
        foreach (var outer in target.ContainingTypes) scopes.Push(w.OpenBlock("partial " + outer.Keyword + " " + outer.Name));
        w.WriteLine("[global::System.CodeDom.Compiler.GeneratedCode(\"CnnGen\", \"" + typeof(NetworkEmitter).Assembly.GetName().Version + "\")]");
        scopes.Push(w.OpenBlock("partial " + target.Keyword + " " + target.Name + " : global::CnnGen.INetwork"));
        return scopes;
    }

    private static void WriteInputConstants(SourceWriter w, FeatureShape input)
    {
        // an imported model may take a vector of features: it has a length alone
        if (input.IsFlat)
        {
            Constant(w, "InputLength", input.Length, "Floats in one input sample: its features.");
            return;
        }
        Constant(w, "InputChannels", input.Channels, "Channels of one input sample.");
        if (input.IsMap) Constant(w, "InputHeight", input.Height, "Rows of one input sample.");
        Constant(w, "InputWidth", input.Width, input.IsMap ? "Columns of one input sample." : "Positions of one input sample (its length).");
        Constant(w, "InputLength", input.Length, input.IsMap ? "Floats in one input sample (NCHW, C order)." : "Floats in one input sample (NCL, C order).");
    }

    private static void WriteLengthConstants(SourceWriter w, int outputLength, int parameterCount)
    {
        Constant(w, "OutputLength", outputLength, "Floats in one output sample, flattened in C order as PyTorch returns it.");
        Constant(w, "ParameterCount", parameterCount, "Floats of the state: the state_dict's float tensors (parameters and buffers), in order.");
        w.WriteLine();
        w.WriteLine("global::CnnGen.NetworkSpec global::CnnGen.INetwork.Spec => Spec;");
        w.WriteLine("int global::CnnGen.INetwork.InputLength => InputLength;");
        w.WriteLine("int global::CnnGen.INetwork.OutputLength => OutputLength;");
        w.WriteLine("int global::CnnGen.INetwork.ParameterCount => ParameterCount;");
    }

    /// <summary>
    /// The class of a network with an error: the members a valid network's class has, the lengths where
    /// the input shape gives them and 0 otherwise, the input's shape constants only where it is valid,
    /// and methods that throw InvalidOperationException with the error.
    /// </summary>
    public static string EmitStandIn(NetworkStandIn standIn)
    {
        var w = new SourceWriter();
        w.WriteLine("// <auto-generated/>");
        w.WriteLine("#nullable enable");
        w.WriteLine();
        w.WriteLine("// " + Literal.Comment(standIn.Error));
        w.WriteLine("// Its members exist so that the code using them compiles while the error is fixed; each method throws it.");
        w.WriteLine();
        var scopes = OpenClass(w, standIn.Class);
        w.WriteLine($"private const string CnnGenError = {Literal.String(standIn.Error)};");
        w.WriteLine();
        if (standIn.Input is { } input) WriteInputConstants(w, input);
        else Constant(w, "InputLength", 0, "Floats in one input sample: 0, for [InputShape] is not valid.");
        WriteLengthConstants(w, 0, 0);
        w.WriteLine();
        w.WriteLine("/// <summary>The network's error: it has no layers to list.</summary>");
        w.WriteLine("public const string Summary = CnnGenError;");
        if (standIn.HasTorchSource)
        {
            w.WriteLine();
            w.WriteLine("/// <summary>The network's error as a Python comment: it has no module to write.</summary>");
            w.WriteLine("public const string TorchSource = \"# \" + CnnGenError + \"\\n\";");
        }
        string fails = "=> throw new global::System.InvalidOperationException(CnnGenError);";
        foreach (var member in new[] { SpecMember, LoadParametersMember, LoadSafetensorsFromPath, LoadSafetensorsFromStream, ForwardMember, ForwardBatchMember, ForwardBatchOnThreads })
        {
            w.WriteLine();
            WriteMember(w, member, fails);
        }
        while (scopes.Count > 0) scopes.Pop().Dispose();
        return w.ToString();
    }
}
