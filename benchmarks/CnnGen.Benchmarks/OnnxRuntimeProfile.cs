using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace CnnGen.Benchmarks;

/// <summary>Reads ONNX Runtime's profile (Chrome trace JSON): each node's kernel time, as a mean over the calls.</summary>
public static class OnnxRuntimeProfile
{
    private const int WarmUpRuns = 10;

    public static void Print(string path, TextWriter output)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var nodes = new Dictionary<string, (string OpType, double Total, int Count, long First)>();
        var seenRuns = new Dictionary<string, int>();
        int calls = 0;
        foreach (var e in document.RootElement.EnumerateArray())
        {
            if (e.GetProperty("cat").GetString() == "Session" && e.GetProperty("name").GetString() == "model_run")
                calls++;
            if (e.GetProperty("cat").GetString() != "Node")
                continue;
            string name = e.GetProperty("name").GetString()!;
            if (!name.EndsWith("_kernel_time", StringComparison.Ordinal))
                continue;
            name = name[..^"_kernel_time".Length];
            string opType = e.GetProperty("args").TryGetProperty("op_name", out var op) ? op.GetString()! : "?";
            double duration = e.GetProperty("dur").GetDouble();
            long timestamp = e.GetProperty("ts").GetInt64();
            // each node's first WarmUpRuns runs left out: the first allocates and fills ONNX Runtime's buffers
            var seen = seenRuns.TryGetValue(name, out int s) ? s + 1 : 1;
            seenRuns[name] = seen;
            if (seen <= WarmUpRuns)
                continue;
            nodes[name] = nodes.TryGetValue(name, out var n)
                ? (n.OpType, n.Total + duration, n.Count + 1, n.First)
                : (opType, duration, 1, timestamp);
        }
        double sum = nodes.Values.Sum(n => n.Total / n.Count);
        output.WriteLine($"{path}: {calls} runs, {nodes.Count} nodes, {sum:F1} us a run in nodes");
        output.WriteLine($"{"node",-48} {"op",-20} {"us",8} {"share",6}");
        foreach (var (name, n) in nodes.OrderBy(kv => kv.Value.First))
            output.WriteLine($"{name,-48} {n.OpType,-20} {n.Total / n.Count,8:F2} {n.Total / n.Count / sum,6:P1}");
    }
}
