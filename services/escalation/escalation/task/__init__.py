"""Tasks on a case (việc cần làm): a title, an owner officer, a due time, done or not."""
