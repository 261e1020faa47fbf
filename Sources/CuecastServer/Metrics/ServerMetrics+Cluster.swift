import CoreMetrics

extension ServerMetrics {
    /// One statement stored `rows` publishes (`ClusterInsertQueue`): batches against publishes shows how much
    /// group commit saves, which is what decides a cluster's publish ceiling.
    func clusterBatchStored(rows: Int) {
        Counter(label: "cuecast_cluster_insert_statements_total", factory: factory).increment()
        Counter(label: "cuecast_cluster_inserted_rows_total", factory: factory).increment(by: rows)
    }

    /// This instance applied `rows` stored rows, carried in a notification or read back from the table
    /// (`ClusterFeed`): reads from the table cost every instance a round trip, so a busy cluster should show few.
    func clusterRowsApplied(_ rows: Int, fromTable: Bool) {
        guard rows > 0 else { return }
        let label = fromTable ? "cuecast_cluster_rows_read_total" : "cuecast_cluster_rows_notified_total"
        Counter(label: label, factory: factory).increment(by: rows)
    }
}
