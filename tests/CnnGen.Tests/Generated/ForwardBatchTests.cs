using System;
using CnnGen.Tests.Support;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>ForwardBatch on several threads gives what Forward gives sample by sample, whatever the cap.</summary>
public class ForwardBatchTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(64)]
    public void Every_degree_of_parallelism_gives_the_sequential_result(int degree)
    {
        var net = new Fixtures.LeNet5();
        net.LoadParameters(FixtureFiles.ReadFloats("LeNet5.params.f32"));
        const int Count = 37; // not a multiple of any degree: the last worker's share is uneven
        var random = new Random(3);
        var inputs = new float[Count * Fixtures.LeNet5.InputLength];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (float)random.NextDouble();
        var expected = new float[Count * Fixtures.LeNet5.OutputLength];
        for (int n = 0; n < Count; n++)
            net.Forward(inputs.AsSpan(n * Fixtures.LeNet5.InputLength, Fixtures.LeNet5.InputLength), expected.AsSpan(n * Fixtures.LeNet5.OutputLength, Fixtures.LeNet5.OutputLength));

        var actual = new float[expected.Length];
        net.ForwardBatch(inputs, actual, degree);

        Assert.Equal(expected, actual);
    }

    /// <summary>int.MaxValue means "as many as can run": never a buffer set per sample, at most one per processor.</summary>
    [Fact]
    public void No_more_buffer_sets_than_processors_however_high_the_cap()
    {
        var net = new Fixtures.LeNet5();
        const int Count = 200;
        var inputs = new float[Count * Fixtures.LeNet5.InputLength];
        var outputs = new float[Count * Fixtures.LeNet5.OutputLength];

        net.ForwardBatch(inputs, outputs, int.MaxValue);

        var field = typeof(Fixtures.LeNet5).GetField("_workerBuffers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var sets = (Array?)field.GetValue(net);
        Assert.True(sets is null || sets.Length <= Environment.ProcessorCount, $"{sets?.Length} buffer sets on {Environment.ProcessorCount} processors");
    }

    [Fact]
    public void Workers_see_parameters_loaded_after_they_were_made()
    {
        var net = new Fixtures.SameConv();
        var inputs = FixtureFiles.ReadFloats("SameConv.input.f32");
        var outputs = new float[3 * Fixtures.SameConv.OutputLength];
        net.ForwardBatch(inputs, outputs, 3); // workers made while the parameters are all zero

        net.LoadParameters(FixtureFiles.ReadFloats("SameConv.params.f32"));
        net.ForwardBatch(inputs, outputs, 3);

        FixtureFiles.AssertMatches(FixtureFiles.ReadFloats("SameConv.expected.f32"), outputs, "SameConv on 3 workers");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void A_cap_below_one_and_overlapping_spans_are_refused(int cap)
    {
        var net = new Fixtures.SameConv();
        var inputs = new float[2 * Fixtures.SameConv.InputLength];
        var outputs = new float[2 * Fixtures.SameConv.OutputLength];

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardBatch(inputs, outputs, cap));
        var buffer = new float[inputs.Length + outputs.Length];
        Assert.Throws<ArgumentException>(() => net.ForwardBatch(buffer.AsSpan(0, inputs.Length), buffer.AsSpan(1, outputs.Length), 2));

        Assert.Equal("maxDegreeOfParallelism", refused.ParamName);
    }

    [Fact]
    public void An_empty_batch_is_nothing_to_do()
    {
        var net = new Fixtures.SameConv();

        net.ForwardBatch(ReadOnlySpan<float>.Empty, Span<float>.Empty, 2);
    }

    [Fact]
    public void One_thread_allocates_nothing()
    {
        var net = new Fixtures.LeNet5();
        var inputs = new float[4 * Fixtures.LeNet5.InputLength];
        var outputs = new float[4 * Fixtures.LeNet5.OutputLength];
        net.ForwardBatch(inputs, outputs, 1);

        long before = GC.GetAllocatedBytesForCurrentThread();
        net.ForwardBatch(inputs, outputs, 1);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
