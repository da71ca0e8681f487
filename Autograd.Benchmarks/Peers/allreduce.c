/* OpenMPI's own all-reduce bandwidth, the peer of Autograd.Benchmarks' "allreduce" runner: the same float32 sizes
   (1 MB, 64 MB), the same warm-up (5 calls) and repetitions (200, 10), in place, MPI_SUM on MPI_COMM_WORLD.
   Built and run by compare-mpi.sh: mpicc -O2 allreduce.c -o allreduce && mpirun -np 2 ./allreduce */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size, provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int sizes[] = {1, 64};
    for (int s = 0; s < 2; s++) {
        int megabytes = sizes[s];
        int count = (megabytes << 20) / (int)sizeof(float);
        float *data = malloc((size_t)count * sizeof(float));
        for (int i = 0; i < count; i++) data[i] = 1.0f;
        int repetitions = megabytes == 1 ? 200 : 10;
        for (int i = 0; i < 5; i++) MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        for (int i = 0; i < repetitions; i++) MPI_Allreduce(MPI_IN_PLACE, data, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        double seconds = (MPI_Wtime() - start) / repetitions;
        if (rank == 0)
            printf("RESULT openmpi allreduce %d MB ranks=%d us=%.1f GB/s=%.2f\n", megabytes, size, seconds * 1e6,
                   (double)(megabytes << 20) / seconds / 1e9);
        free(data);
    }
    MPI_Finalize();
    return 0;
}
