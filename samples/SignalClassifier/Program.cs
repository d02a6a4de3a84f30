using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CnnGen.Reference;

namespace SignalClassifier;

/// <summary>
/// Classifies train.py's 240 test ECG strips with the generated EcgNet (Networks.cs), one strip at a time
/// (Forward) and all at once (ForwardBatch), and with the reference engine, from the weights train.py trained
/// in PyTorch, and compares them with each other and with PyTorch's own outputs. Exits 1 if Forward differs from
/// the reference engine or from PyTorch, the reference engine from PyTorch, or ForwardBatch from Forward, on a
/// prediction or by more than 1e-4 in an output (relative; absolute for outputs below 1).
/// </summary>
internal static class Program
{
    private static readonly string[] Classes = { "normal", "brady", "tachy", "afib", "pvc", "flutter" };

    private static readonly string[] Descriptions =
    {
        "normal sinus rhythm", "sinus bradycardia", "sinus tachycardia", "atrial fibrillation",
        "premature ventricular contractions", "atrial flutter",
    };

    private const int SampleRate = 250;          // Hz: a strip is EcgNet.InputWidth = 1000 samples, 4 s
    private const float Tolerance = 1e-4f;       // |a - b| <= Tolerance * max(1, |b|)

    private static int Main(string[] args)
    {
        // the PyTorch module train.py trains is the network's own TorchSource: `dotnet run -- --torch-source > model.py`
        if (args.Length == 1 && args[0] == "--torch-source")
        {
            Console.Out.Write(EcgNet.TorchSource);
            return 0;
        }

        string folder = AppContext.BaseDirectory;
        string weights = Path.Combine(folder, "model.safetensors");
        float[] inputs = ReadFloats(Path.Combine(folder, "test.f32"));
        byte[] labels = File.ReadAllBytes(Path.Combine(folder, "test_labels.u8"));
        float[] pytorchLogits = ReadFloats(Path.Combine(folder, "pytorch_logits.f32"));
        string pytorchAccuracy = File.ReadAllText(Path.Combine(folder, "pytorch_accuracy.txt")).Trim();
        int count = labels.Length;
        if (inputs.Length != count * EcgNet.InputLength || pytorchLogits.Length != count * EcgNet.OutputLength)
        {
            throw new InvalidDataException($"test.f32 holds {inputs.Length} floats and pytorch_logits.f32 {pytorchLogits.Length}; "
                + $"{count} labels need {count * EcgNet.InputLength} and {count * EcgNet.OutputLength}.");
        }

        var net = new EcgNet();
        net.LoadSafetensors(weights);

        // One strip at a time on this thread, then all of them at once on every core; each timed as the best of
        // three passes after a warm-up pass. (The project file turns tiered compilation off, so that the code
        // timed is the optimized code from the first call, not .NET's quick first compilation of it.)
        var logits = new float[count * EcgNet.OutputLength];
        var batchLogits = new float[logits.Length];
        double forwardMicroseconds = BestOf(4, () =>
        {
            for (int n = 0; n < count; n++) net.Forward(Input(inputs, n), Output(logits, n));
        }) / count;
        double batchMicroseconds = BestOf(4, () => net.ForwardBatch(inputs, batchLogits)) / count;

        // The reference engine (plain loops, double sums: slow on purpose), one strip per core.
        var reference = new ReferenceNetwork(EcgNet.Spec);
        reference.LoadSafetensors(weights);
        var referenceLogits = new float[logits.Length];
        var clock = Stopwatch.StartNew();
        System.Threading.Tasks.Parallel.For(0, count, n => reference.Forward(Input(inputs, n), Output(referenceLogits, n)));
        double referenceMicroseconds = clock.Elapsed.TotalMicroseconds / count;

        int[] predicted = ArgMax(logits, count);
        int[] batchPredicted = ArgMax(batchLogits, count);
        int[] referencePredicted = ArgMax(referenceLogits, count);
        int[] pytorchPredicted = ArgMax(pytorchLogits, count);

        Console.WriteLine($"EcgNet: {EcgNet.ParameterCount} parameters from {Path.GetFileName(weights)}; {count} ECG strips of "
            + $"{EcgNet.InputWidth} samples ({EcgNet.InputWidth / SampleRate} s at {SampleRate} Hz), {Classes.Length} rhythms");
        Console.WriteLine();
        Console.WriteLine($"  accuracy   generated (Forward):       {Accuracy(predicted, labels)}");
        Console.WriteLine($"             generated (ForwardBatch):  {Accuracy(batchPredicted, labels)}");
        Console.WriteLine($"             reference engine:          {Accuracy(referencePredicted, labels)}");
        Console.WriteLine($"             PyTorch (train.py):        {Accuracy(pytorchPredicted, labels)} (pytorch_accuracy.txt: {pytorchAccuracy})");
        Console.WriteLine();
        var comparisons = new (string Name, float[] A, int[] PredictedA, float[] B, int[] PredictedB)[]
        {
            ("generated vs reference", logits, predicted, referenceLogits, referencePredicted),
            ("generated vs PyTorch", logits, predicted, pytorchLogits, pytorchPredicted),
            ("reference vs PyTorch", referenceLogits, referencePredicted, pytorchLogits, pytorchPredicted),
            ("Forward vs ForwardBatch", logits, predicted, batchLogits, batchPredicted),
        };
        bool ok = true;
        foreach (var (name, a, predictedA, b, predictedB) in comparisons)
        {
            int same = predictedA.Zip(predictedB).Count(p => p.First == p.Second);
            (float absolute, float relative) = Difference(a, b);
            bool pass = same == count && relative <= Tolerance;
            ok &= pass;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name + ":",-25} same prediction on {same} of {count}, max |difference| {absolute:0.00e+0} (relative {relative:0.00e+0}){(pass ? "" : "  <-- MISMATCH")}"));
        }
        Console.WriteLine();
        string cores = Environment.ProcessorCount == 1 ? "one thread" : $"{Environment.ProcessorCount} threads";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  time per strip: generated {forwardMicroseconds:F1} µs (Forward, one thread), {batchMicroseconds:F1} µs (ForwardBatch, {cores}); "
            + $"reference engine {referenceMicroseconds / 1000:F1} ms ({cores})"));
        Console.WriteLine();

        PrintConfusion(predicted, labels);

        // The first strip with a premature ventricular contraction, then the first strip the network gets wrong, if any.
        int pvc = Array.IndexOf(labels, (byte)4);
        int wrong = Enumerable.Range(0, count).FirstOrDefault(i => predicted[i] != labels[i], -1);
        foreach (int i in new[] { pvc, wrong }.Where(i => i >= 0).Distinct())
        {
            PrintStrip(inputs, i, labels[i], logits.AsSpan(i * EcgNet.OutputLength, EcgNet.OutputLength));
        }

        Console.WriteLine(ok
            ? $"The generated code matches the reference engine and PyTorch: the same {count} predictions, every output within 1e-4 (relative)."
            : "MISMATCH: see above (the predictions must be the same, the outputs within 1e-4 relative).");
        return ok ? 0 : 1;
    }

    /// <summary>Runs the action the given number of times; returns the fastest run but the first (a warm-up), in microseconds.</summary>
    private static double BestOf(int runs, Action action)
    {
        double best = double.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            if (run > 0) best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
        return best;
    }

    private static ReadOnlySpan<float> Input(float[] inputs, int n) => inputs.AsSpan(n * EcgNet.InputLength, EcgNet.InputLength);

    private static Span<float> Output(float[] outputs, int n) => outputs.AsSpan(n * EcgNet.OutputLength, EcgNet.OutputLength);

    private static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    private static int[] ArgMax(float[] logits, int count)
    {
        int classes = logits.Length / count;
        return Enumerable.Range(0, count).Select(n =>
        {
            var row = logits.AsSpan(n * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            return best;
        }).ToArray();
    }

    /// <summary>The largest |a - b|, and the largest |a - b| / max(1, |b|).</summary>
    private static (float Absolute, float Relative) Difference(float[] a, float[] b)
    {
        float absolute = 0, relative = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = MathF.Abs(a[i] - b[i]);
            if (!(d <= absolute)) absolute = d;                   // NaN wins
            float r = d / MathF.Max(1f, MathF.Abs(b[i]));
            if (!(r <= relative)) relative = r;
        }
        return (absolute, relative);
    }

    private static string Accuracy(int[] predicted, byte[] labels)
    {
        int correct = predicted.Zip(labels).Count(p => p.First == p.Second);
        return string.Create(CultureInfo.InvariantCulture, $"{100.0 * correct / labels.Length:F2}% ({correct}/{labels.Length})");
    }

    /// <summary>Rows: the true rhythm; columns: the generated code's prediction.</summary>
    private static void PrintConfusion(int[] predicted, byte[] labels)
    {
        var text = new StringBuilder();
        text.AppendLine("  generated code's predictions (columns) for each true rhythm (rows):");
        text.AppendLine("            " + string.Concat(Classes.Select(c => c.PadLeft(8))));
        for (int t = 0; t < Classes.Length; t++)
        {
            text.Append("  " + Classes[t].PadLeft(8) + "  ");
            for (int p = 0; p < Classes.Length; p++)
            {
                int n = Enumerable.Range(0, labels.Length).Count(i => labels[i] == t && predicted[i] == p);
                text.Append((n == 0 ? "." : n.ToString(CultureInfo.InvariantCulture)).PadLeft(8));
            }
            text.AppendLine();
        }
        Console.WriteLine(text);
    }

    /// <summary>
    /// One strip as an ASCII plot, 100 columns of 40 ms each: every column covers the range of its 10 samples (so
    /// the narrow QRS spikes survive), with a time axis under it; then the network's probabilities, exp(log-softmax).
    /// </summary>
    private static void PrintStrip(float[] inputs, int index, int label, ReadOnlySpan<float> logProbabilities)
    {
        const int Rows = 12, Columns = 100, PerColumn = EcgNet.InputWidth / Columns;
        var strip = Input(inputs, index);
        float lo = float.MaxValue, hi = float.MinValue;
        foreach (float v in strip) { lo = MathF.Min(lo, v); hi = MathF.Max(hi, v); }
        int Row(float v) => (int)MathF.Round((v - lo) / (hi - lo) * (Rows - 1));
        var grid = new char[Rows, Columns];
        for (int r = 0; r < Rows; r++) for (int c = 0; c < Columns; c++) grid[r, c] = ' ';
        for (int c = 0; c < Columns; c++)
        {
            float min = float.MaxValue, max = float.MinValue;
            for (int k = 0; k < PerColumn; k++) { min = MathF.Min(min, strip[c * PerColumn + k]); max = MathF.Max(max, strip[c * PerColumn + k]); }
            int bottom = Row(min), top = Row(max);
            for (int r = bottom; r <= top; r++) grid[Rows - 1 - r, c] = bottom == top ? '-' : '|';
        }
        int predicted = 0;
        for (int c = 1; c < logProbabilities.Length; c++) if (logProbabilities[c] > logProbabilities[predicted]) predicted = c;

        var text = new StringBuilder();
        text.AppendLine($"  strip #{index}: {Descriptions[label]} ({Classes[label]}) -> predicted {Classes[predicted]}{(predicted == label ? "" : " (WRONG)")}");
        for (int r = 0; r < Rows; r++)
        {
            text.Append("  |");
            for (int c = 0; c < Columns; c++) text.Append(grid[r, c]);
            text.AppendLine();
        }
        text.Append("  +");
        for (int c = 0; c < Columns; c++) text.Append(c % (Columns / 4) == 0 ? '+' : '-');
        text.AppendLine();
        text.Append("  0 s");
        for (int s = 1; s <= 4; s++) text.Append($"{s} s".PadLeft(Columns / 4));
        text.AppendLine();
        text.Append("  probabilities:");
        for (int c = 0; c < Classes.Length; c++)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"  {Classes[c]} {MathF.Exp(logProbabilities[c]):0.000}"));
        }
        Console.WriteLine(text.AppendLine());
    }
}
