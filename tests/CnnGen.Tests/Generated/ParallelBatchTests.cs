using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace CnnGen.Tests.Generated;

/// <summary>
/// The workers under generated ForwardBatch (<see cref="ParallelBatch"/>): every sample once, each worker's memory used by
/// one thread at a time, batches on several threads at once, and a worker's exception reaching the caller.
/// </summary>
public class ParallelBatchTests
{
    /// <summary>A runner that writes each sample's index and the worker that ran it, and fails if two threads share a worker.</summary>
    private sealed class Recorder(int workers)
    {
        private readonly int[] _inUse = new int[workers];
        public int Collisions;
        public int BadWorkers;
        public int Runs;

        public void Run(ReadOnlySpan<float> input, Span<float> output, int worker)
        {
            if ((uint)worker >= (uint)_inUse.Length)
            {
                Interlocked.Increment(ref BadWorkers);
                return;
            }
            Interlocked.Increment(ref Runs);
            if (Interlocked.Exchange(ref _inUse[worker], 1) != 0) Interlocked.Increment(ref Collisions);
            Thread.SpinWait(50); // long enough for the workers to overlap; the output last, so that a sample still
            output[0] = input[0] * 2 + 1; // running when the batch returns leaves it unwritten
            output[1] = worker;
            Volatile.Write(ref _inUse[worker], 0);
        }
    }

    private static (float[] Inputs, float[] Outputs) Batch(int count)
    {
        var inputs = new float[count];
        for (int i = 0; i < count; i++) inputs[i] = i;
        return (inputs, new float[2 * count]);
    }

    private static void AssertEverySampleRan(float[] outputs, int count, int workers)
    {
        for (int n = 0; n < count; n++)
        {
            Assert.Equal(2f * n + 1, outputs[2 * n]);
            Assert.InRange(outputs[2 * n + 1], 0, workers - 1);
        }
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(37, 2)]
    [InlineData(37, 3)]
    [InlineData(100, 64)]
    public void Every_sample_runs_once_on_a_worker_of_its_own(int count, int workers)
    {
        var (inputs, outputs) = Batch(count);
        var recorder = new Recorder(workers);

        ParallelBatch.Run(inputs, outputs, 1, 2, workers, recorder.Run);

        AssertEverySampleRan(outputs, count, workers);
        Assert.Equal(count, recorder.Runs);
        Assert.Equal(0, recorder.Collisions);
        Assert.Equal(0, recorder.BadWorkers);
    }

    /// <summary>Batches back to back find the workers spinning, or asleep after a pause: none lost, none run twice.</summary>
    [Fact]
    public void Thousands_of_small_batches_back_to_back_and_after_pauses()
    {
        var recorder = new Recorder(2);
        int expectedRuns = 0;
        for (int round = 0; round < 3000; round++)
        {
            int count = 1 + round % 5;
            var (inputs, outputs) = Batch(count);
            if (round % 500 == 499) Thread.Sleep(5); // past the spin: the helpers sleep and must be woken
            ParallelBatch.Run(inputs, outputs, 1, 2, 2, recorder.Run);
            AssertEverySampleRan(outputs, count, 2);
            expectedRuns += count;
        }
        Assert.Equal(expectedRuns, recorder.Runs);
        Assert.Equal(0, recorder.Collisions);
    }

    /// <summary>
    /// A batch after a pause longer than the workers' spin wakes them: worker 0's first sample waits (up to 10 s) until
    /// another worker has started one, which a lost wake-up would never do.
    /// </summary>
    [MultiProcessorFact]
    public void After_a_pause_the_sleeping_workers_are_woken()
    {
        for (int round = 0; round < 20; round++)
        {
            Thread.Sleep(round % 2 == 0 ? 5 : 0);
            int helped = 0;
            void Rendezvous(ReadOnlySpan<float> input, Span<float> output, int worker)
            {
                if (worker != 0) Volatile.Write(ref helped, 1);
                else SpinWait.SpinUntil(() => Volatile.Read(ref helped) == 1, 10_000);
            }
            var (inputs, outputs) = Batch(8);

            ParallelBatch.Run(inputs, outputs, 1, 2, 2, Rendezvous);

            Assert.True(helped == 1, $"round {round}: no worker but the caller ran a sample");
        }
    }

    /// <summary>One batch holds the kept threads; a batch started meanwhile on another thread still runs in parallel.</summary>
    [Fact]
    public void Batches_on_several_threads_at_once_all_complete()
    {
        const int Threads = 4, Count = 200;
        var failures = new List<string>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var recorder = new Recorder(2);
            for (int round = 0; round < 20; round++)
            {
                var (inputs, outputs) = Batch(Count);
                ParallelBatch.Run(inputs, outputs, 1, 2, 2, recorder.Run);
                for (int n = 0; n < Count; n++)
                    if (outputs[2 * n] != 2f * n + 1)
                        lock (failures) failures.Add($"thread {t} round {round} sample {n}: {outputs[2 * n]}");
            }
            if (recorder.Collisions != 0) lock (failures) failures.Add($"thread {t}: {recorder.Collisions} collisions");
        });
        Assert.Empty(failures);
    }

    [Fact]
    public void A_workers_exception_reaches_the_caller_and_the_next_batch_runs()
    {
        var (inputs, outputs) = Batch(16);
        int calls = 0;
        void Throwing(ReadOnlySpan<float> input, Span<float> output, int worker)
        {
            Interlocked.Increment(ref calls);
            if (input[0] == 7) throw new InvalidOperationException("sample 7");
        }

        var thrown = Assert.Throws<AggregateException>(() => ParallelBatch.Run(inputs, outputs, 1, 2, 2, Throwing));

        Assert.Equal("sample 7", Assert.Single(thrown.InnerExceptions).Message);
        // a batch of one sample runs on the caller alone, and throws the same way
        var alone = Assert.Throws<AggregateException>(() => ParallelBatch.Run(inputs.AsSpan(7, 1), outputs.AsSpan(14, 2), 1, 2, 2, Throwing));
        Assert.Equal("sample 7", Assert.Single(alone.InnerExceptions).Message);
        var recorder = new Recorder(2);
        ParallelBatch.Run(inputs, outputs, 1, 2, 2, recorder.Run);
        AssertEverySampleRan(outputs, 16, 2);
    }

    [Fact]
    public void Lengths_that_are_not_whole_samples_are_refused()
    {
        var recorder = new Recorder(2);
        Assert.Throws<ArgumentException>(() => ParallelBatch.Run(new float[3], new float[4], 2, 2, 2, recorder.Run));
        Assert.Throws<ArgumentException>(() => ParallelBatch.Run(new float[4], new float[6], 2, 2, 2, recorder.Run));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParallelBatch.Run(new float[4], new float[4], 0, 2, 2, recorder.Run));
        Assert.Throws<ArgumentNullException>(() => ParallelBatch.Run(new float[4], new float[4], 2, 2, 2, null!));
    }

    /// <summary>Two instances of one network batching on two threads at once: each gets what Forward gives.</summary>
    [Fact]
    public void Two_networks_batching_at_once_give_the_sequential_results()
    {
        const int Count = 24;
        var parameters = Support.FixtureFiles.ReadFloats("LeNet5.params.f32");
        var random = new Random(5);
        var inputs = Enumerable.Range(0, Count * Fixtures.LeNet5.InputLength).Select(_ => (float)random.NextDouble()).ToArray();
        var reference = new Fixtures.LeNet5();
        reference.LoadParameters(parameters);
        var expected = new float[Count * Fixtures.LeNet5.OutputLength];
        for (int n = 0; n < Count; n++)
            reference.Forward(inputs.AsSpan(n * Fixtures.LeNet5.InputLength, Fixtures.LeNet5.InputLength), expected.AsSpan(n * Fixtures.LeNet5.OutputLength, Fixtures.LeNet5.OutputLength));

        var results = new float[2][];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            var net = new Fixtures.LeNet5();
            net.LoadParameters(parameters);
            var outputs = new float[expected.Length];
            for (int round = 0; round < 50; round++) net.ForwardBatch(inputs, outputs, 2);
            results[t] = outputs;
        });

        Assert.Equal(expected, results[0]);
        Assert.Equal(expected, results[1]);
    }
}

/// <summary>A fact that needs two processors: on one, ForwardBatch has no worker but the caller.</summary>
public sealed class MultiProcessorFactAttribute : FactAttribute
{
    public MultiProcessorFactAttribute()
    {
        if (Environment.ProcessorCount < 2) Skip = $"needs 2 processors, this machine has {Environment.ProcessorCount}";
    }
}
