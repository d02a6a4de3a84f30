using System;
using System.ComponentModel;
using System.Threading.Tasks;

namespace CnnGen;

/// <summary>
/// Runs a batch's samples on several workers for generated <c>ForwardBatch</c>.
/// Spans cannot cross into other threads, so the batch is pinned for the call and each worker
/// rebuilds its samples' spans from the pinned addresses.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ParallelBatch
{
    /// <summary>Runs one sample with the working memory of <paramref name="worker"/>.</summary>
    public delegate void SampleRunner(ReadOnlySpan<float> input, Span<float> output, int worker);

    /// <summary>
    /// Runs every sample of <paramref name="inputs"/> into <paramref name="outputs"/> on
    /// <paramref name="workers"/> threads. Workers take the next sample as they finish one, so a
    /// worker whose core is busy elsewhere (a preempted VM core, another process) holds nobody up,
    /// as it would with a fixed share. The caller has checked the lengths.
    /// </summary>
    /// <remarks>
    /// The calling thread is worker 0; the others are threads kept for batches, which spin for about a
    /// millisecond after one for the next (<see cref="BatchWorkers"/>). While another thread's batch has
    /// them, the thread pool's threads help instead.
    /// </remarks>
    public static unsafe void Run(ReadOnlySpan<float> inputs, Span<float> outputs, int inputLength, int outputLength, int workers, SampleRunner run)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, 1);
        int count = inputs.Length / inputLength;
        if ((long)count * outputLength != outputs.Length || (long)count * inputLength != inputs.Length)
            throw new ArgumentException($"{inputs.Length} input floats and {outputs.Length} output floats are not the same number of samples.", nameof(outputs));
        workers = Math.Clamp(workers, 1, Math.Max(1, count));
        fixed (float* inputStart = inputs)
        fixed (float* outputStart = outputs)
        {
            var job = new BatchJob(inputStart, outputStart, inputLength, outputLength, count, workers, run);
            if (workers == 1)
            {
                // as the workers' exceptions reach the caller, so that a one-sample batch throws what a larger one does
                job.WorkOrFail(0);
                job.ThrowErrors();
            }
            else if (!BatchWorkers.TryRun(job))
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, job.Work);
        }
    }
}
