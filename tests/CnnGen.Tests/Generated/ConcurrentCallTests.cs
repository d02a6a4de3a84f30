using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// An instance owns its scratch buffers and weights, so it takes one call at a time: a second Forward,
/// ForwardBatch or LoadParameters while one runs throws InvalidOperationException, never returns
/// numbers computed from half-written buffers. LoadSafetensors reads its file without holding the
/// instance and holds it only to copy the parameters in, as LoadParameters does.
/// </summary>
public class ConcurrentCallTests
{
    private static void Hold(INetwork net) =>
        net.GetType().GetField("_cnnGenBusy", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(net, 1);

    [Fact]
    public void Every_entry_point_refuses_an_instance_that_another_call_holds()
    {
        var net = new Fixtures.LeNet5();
        Hold(net);

        var input = new float[Fixtures.LeNet5.InputLength];
        var output = new float[Fixtures.LeNet5.OutputLength];
        var forward = Assert.Throws<InvalidOperationException>(() => net.Forward(input, output));
        Assert.Contains("one call at a time", forward.Message);
        Assert.Throws<InvalidOperationException>(() => net.ForwardBatch(input, output));
        Assert.Throws<InvalidOperationException>(() => net.ForwardBatch(input, output, 1));
        Assert.Throws<InvalidOperationException>(() => net.LoadParameters(new float[Fixtures.LeNet5.ParameterCount]));
    }

    [Fact]
    public void Each_call_releases_the_instance_even_when_it_throws_on_its_arguments()
    {
        var net = new Fixtures.LeNet5();
        Assert.Throws<ArgumentException>(() => net.Forward(new float[1], new float[Fixtures.LeNet5.OutputLength]));
        Assert.Throws<ArgumentException>(() => net.LoadParameters(new float[1]));

        net.Forward(new float[Fixtures.LeNet5.InputLength], new float[Fixtures.LeNet5.OutputLength]);
        net.ForwardBatch(new float[2 * Fixtures.LeNet5.InputLength], new float[2 * Fixtures.LeNet5.OutputLength]);
    }

    /// <summary>Two threads on one instance: every call either throws or returns exactly the single-threaded answer.</summary>
    [Fact]
    public void Two_threads_on_one_instance_never_get_wrong_numbers()
    {
        var net = new Fixtures.LeNet5();
        net.LoadParameters(FixtureFiles.ReadFloats("LeNet5.params.f32"));
        var inputs = new float[2][];
        var expected = new float[2][];
        for (int t = 0; t < 2; t++)
        {
            var random = new Random(t);
            inputs[t] = new float[Fixtures.LeNet5.InputLength];
            for (int i = 0; i < inputs[t].Length; i++) inputs[t][i] = (float)random.NextDouble();
            expected[t] = new float[Fixtures.LeNet5.OutputLength];
            net.Forward(inputs[t], expected[t]);
        }

        int refused = 0, wrong = 0;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            var output = new float[Fixtures.LeNet5.OutputLength];
            for (int call = 0; call < 3000; call++)
            {
                try
                {
                    net.Forward(inputs[t], output);
                    if (!output.AsSpan().SequenceEqual(expected[t])) Interlocked.Increment(ref wrong);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void LoadSafetensors_refuses_an_instance_that_another_call_holds_and_loads_nothing()
    {
        var states = new TwoStates();
        var net = states.NetIn(TwoStates.A);
        Hold(net);

        Assert.Throws<InvalidOperationException>(() => net.LoadSafetensors(new MemoryStream(states.File(TwoStates.B))));
        string path = Path.Combine(Path.GetTempPath(), $"cnngen-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, states.File(TwoStates.B));
        try
        {
            Assert.Throws<InvalidOperationException>(() => net.LoadSafetensors(path));
        }
        finally
        {
            File.Delete(path);
        }

        Release(net);
        Assert.Equal(states.Output(TwoStates.A), states.Run(net));
    }

    [Fact]
    public async Task LoadSafetensors_reads_its_stream_without_holding_the_instance()
    {
        var states = new TwoStates();
        var net = states.NetIn(TwoStates.A);
        using var stream = new GatedStream(states.File(TwoStates.B));

        // a thread of its own: on a pool that other tests' parallel loops keep busy, a queued load may not start for seconds
        var load = Task.Factory.StartNew(() => net.LoadSafetensors(stream), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(stream.Reading.Wait(TimeSpan.FromSeconds(60)), "the load never started reading");

        // the load is stuck in its read: Forward runs, with the parameters loaded before
        Assert.Equal(states.Output(TwoStates.A), states.Run(net));
        stream.Open.Set();
        await load.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(states.Output(TwoStates.B), states.Run(net));
    }

    public enum Call
    {
        Forward,
        ForwardBatch,
        LoadParameters,
        LoadSafetensors,
    }

    /// <summary>Every unordered pair of entry points, each with itself too.</summary>
    public static TheoryData<Call, Call> EveryPair()
    {
        var pairs = new TheoryData<Call, Call>();
        var calls = Enum.GetValues<Call>();
        for (int i = 0; i < calls.Length; i++)
            for (int j = i; j < calls.Length; j++) pairs.Add(calls[i], calls[j]);
        return pairs;
    }

    /// <summary>
    /// Two threads, each making one kind of call over and over on one instance, the loads switching it
    /// between two states: a call either throws InvalidOperationException or gives exactly what one of
    /// the states gives alone (a batch, all of its samples from one state); afterwards the instance is in one of them.
    /// </summary>
    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Any_two_calls_at_once_either_refuse_or_give_the_numbers_of_one_whole_state(Call first, Call second)
    {
        var states = new TwoStates();
        var net = states.NetIn(TwoStates.A);
        int wrong = 0, refused = 0;
        string? firstWrong = null;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, thread =>
        {
            var call = thread == 0 ? first : second;
            for (int n = 0; n < 400; n++)
            {
                try
                {
                    string? problem = Make(call, net, states, n);
                    if (problem is not null && Interlocked.Increment(ref wrong) == 1) firstWrong = $"{call}, call {n}: {problem}";
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }
        });

        Assert.True(wrong == 0, $"{wrong} calls gave wrong numbers ({refused} refused); the first: {firstWrong}");
        var after = states.Run(net);
        Assert.True(after.SequenceEqual(states.Output(TwoStates.A)) || after.SequenceEqual(states.Output(TwoStates.B)), "the instance ended in neither state");
    }

    /// <summary>One call of the race; what was wrong with its numbers, or null.</summary>
    private static string? Make(Call call, Fixtures.LeNet5 net, TwoStates states, int n)
    {
        int state = n % 2;
        switch (call)
        {
            case Call.Forward:
            {
                var output = states.Run(net);
                return states.Which(output) is null ? "Forward's output is neither state's" : null;
            }
            case Call.ForwardBatch:
            {
                var inputs = states.Input.Concat(states.Input).Concat(states.Input).ToArray();
                var outputs = new float[3 * Fixtures.LeNet5.OutputLength];
                net.ForwardBatch(inputs, outputs, 3);
                var samples = outputs.Chunk(Fixtures.LeNet5.OutputLength).Select(states.Which).ToArray();
                return samples[0] is not null && samples.All(s => s == samples[0]) ? null : $"ForwardBatch's samples come from states {string.Join(", ", samples.Select(s => s?.ToString() ?? "none"))}";
            }
            case Call.LoadParameters:
                net.LoadParameters(states.Parameters(state));
                return null;
            default:
                net.LoadSafetensors(new MemoryStream(states.File(state), writable: false));
                return null;
        }
    }

    private static void Release(INetwork net) =>
        net.GetType().GetField("_cnnGenBusy", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.SetValue(net, 0);

    /// <summary>LeNet5 with two sets of parameters (PyTorch's, and the same halved), one input, and what each set gives for it.</summary>
    private sealed class TwoStates
    {
        public const int A = 0, B = 1;

        private readonly float[][] _parameters = new float[2][];
        private readonly float[][] _outputs = new float[2][];
        private readonly byte[][] _files = new byte[2][];

        public TwoStates()
        {
            _parameters[A] = FixtureFiles.ReadFloats("LeNet5.params.f32");
            _parameters[B] = _parameters[A].Select(p => p * 0.5f).ToArray();
            var random = new Random(5);
            Input = Enumerable.Range(0, Fixtures.LeNet5.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
            for (int s = 0; s < 2; s++)
            {
                var net = new Fixtures.LeNet5();
                net.LoadParameters(_parameters[s]);
                _outputs[s] = Run(net);
                _files[s] = Safetensors(Fixtures.LeNet5.Spec, _parameters[s]);
            }
            Assert.False(_outputs[A].SequenceEqual(_outputs[B]));
        }

        public float[] Input { get; }

        public float[] Parameters(int state) => _parameters[state];

        public float[] Output(int state) => _outputs[state];

        public byte[] File(int state) => _files[state];

        public Fixtures.LeNet5 NetIn(int state)
        {
            var net = new Fixtures.LeNet5();
            net.LoadParameters(_parameters[state]);
            return net;
        }

        public float[] Run(Fixtures.LeNet5 net)
        {
            var output = new float[Fixtures.LeNet5.OutputLength];
            net.Forward(Input, output);
            return output;
        }

        /// <summary>The state whose output this is, or null for neither.</summary>
        public int? Which(float[] output) =>
            output.SequenceEqual(_outputs[A]) ? A : output.SequenceEqual(_outputs[B]) ? B : null;

        /// <summary>A safetensors file of the network's tensors, in order, with these values.</summary>
        private static byte[] Safetensors(NetworkSpec spec, float[] values)
        {
            var entries = spec.Parameters.Select(t =>
                $"\"{t.Name}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{4 * t.Offset},{4 * (t.Offset + t.Length)}]}}");
            var header = Encoding.UTF8.GetBytes("{" + string.Join(",", entries) + "}");
            var file = new byte[8 + header.Length + 4 * values.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
            header.CopyTo(file, 8);
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(8 + header.Length + 4 * i), values[i]);
            return file;
        }
    }

    /// <summary>A stream whose first read waits until <see cref="Open"/> is set, after setting <see cref="Reading"/>.</summary>
    private sealed class GatedStream : MemoryStream
    {
        public GatedStream(byte[] bytes)
            : base(bytes, writable: false)
        {
        }

        public ManualResetEventSlim Reading { get; } = new();

        public ManualResetEventSlim Open { get; } = new();

        // a derived MemoryStream's Read(Span) comes here too, through Stream's
        public override int Read(byte[] buffer, int offset, int count)
        {
            Reading.Set();
            Open.Wait();
            return base.Read(buffer, offset, count);
        }
    }
}
