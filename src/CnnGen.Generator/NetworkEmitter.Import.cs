using System.Collections.Generic;
using System.Linq;
using CnnGen.Generator.Model;
using CnnGen.Ir;

namespace CnnGen.Generator;

/// <summary>What an imported network's class has instead of TorchSource: its graph as a spec, and a constructor that loads the model's own weights.</summary>
internal static partial class NetworkEmitter
{
    /// <summary>Spec in the graph form: each node's layer, the values it reads and its tensors under the model's names.</summary>
    private static void WriteGraphSpec(SourceWriter w, NetworkModel model, NetworkShapes shapes)
    {
        var input = model.Graph.Input;
        string sizes = input.IsFlat ? $"{input.Channels}" : input.IsSequence ? $"{input.Channels}, {input.Width}" : $"{input.Channels}, {input.Height}, {input.Width}";
        WriteMember(w, SpecMember, $"{{ get; }} = new global::CnnGen.NetworkSpec(new int[] {{ {sizes} }}, new global::CnnGen.GraphNodeSpec[]");
        w.WriteLine("{");
        w.Indent();
        for (int i = 0; i < model.Graph.Nodes.Count; i++)
        {
            var node = model.Graph.Nodes[i];
            var init = new List<string>();
            if (node.Tensors.Count > 0)
                init.Add("Tensors = new global::CnnGen.TensorSpec[] { " + string.Join(", ", node.Tensors.Select(t =>
                    $"new global::CnnGen.TensorSpec({Literal.String(t.Name)}{string.Concat(t.Dimensions.Select(d => ", " + d))})")) + " }");
            init.Add("Description = " + Literal.String(node.Where));
            w.WriteLine($"new global::CnnGen.GraphNodeSpec({node.Op.Accept(SpecExpression.Instance)}{string.Concat(node.Inputs.Select(v => ", " + v))}) {{ {string.Join(", ", init)} }},");
        }
        w.Unindent();
        w.WriteLine("}, " + Literal.String(model.ClassName) + ");");
    }

    /// <summary>
    /// The parameterless constructor: the state from the model's weights blob, embedded in the assembly as a manifest
    /// resource by the package's build step, and from the small tensors the model's text holds.
    /// </summary>
    private static void WriteEmbeddedWeights(SourceWriter w, NetworkModel model, ImportedModel import, NetworkShapes shapes)
    {
        var tensors = shapes.Tensors.ToList();
        var sources = import.Weights.ToDictionary(s => s.Name);
        string type = "typeof(" + model.ClassName + ")";
        w.WriteLine($"/// <summary>The network with the weights of {Literal.Comment(import.Path).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;")}, embedded in this assembly at build time.</summary>");
        w.WriteLine("/// <exception cref=\"global::System.InvalidOperationException\">The weights resource is missing: the project was built without the CnnGen package's build targets.</exception>");
        using (w.OpenBlock("public " + model.Class.Name.Split('<')[0] + "()"))
        {
            w.WriteLine("var values = new float[ParameterCount];");
            var fromBlob = tensors.Where(t => sources[t.Name].BlobOffset >= 0).ToList();
            if (fromBlob.Count > 0)
            {
                long end = fromBlob.Max(t => sources[t.Name].BlobOffset + 4L * t.Length);
                w.WriteLine($"byte[] blob = global::CnnGen.EmbeddedWeights.Read({type}.Assembly, {Literal.String(import.Resource)}, {end});");
                foreach (var t in fromBlob)
                    w.WriteLine($"global::CnnGen.EmbeddedWeights.Copy(blob, {sources[t.Name].BlobOffset}, values, {t.Offset}, {t.Length}); // {Literal.Comment(t.Name)}");
            }
            foreach (var t in tensors.Where(t => sources[t.Name].BlobOffset < 0))
            {
                string numbers = string.Join(", ", sources[t.Name].Inline.Select(Literal.Float));
                w.WriteLine($"new float[] {{ {numbers} }}.CopyTo(values, {t.Offset}); // {Literal.Comment(t.Name)}");
            }
            w.WriteLine("LoadParameters(values);");
        }
    }
}
