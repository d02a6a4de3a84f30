using System;
using System.Threading;
using System.Threading.Tasks;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// An instance owns its scratch buffers and weights, so it takes one call at a time: a second Forward,
/// ForwardBatch or LoadParameters while one runs throws InvalidOperationException, never returns
/// numbers computed from half-written buffers.
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
}
