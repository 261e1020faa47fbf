import CoreMetrics

extension ServerMetrics {
    /// One statement stored `rows` publishes (`ClusterInsertQueue`): batches against publishes shows how much
    /// group commit saves, which is what decides a cluster's publish ceiling.
    func clusterBatchStored(rows: Int) {
        Counter(label: "cuecast_cluster_insert_statements_total", factory: factory).increment()
        Counter(label: "cuecast_cluster_inserted_rows_total", factory: factory).increment(by: rows)
    }
}
