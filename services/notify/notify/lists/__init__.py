"""Distribution lists (danh sách nơi nhận) as data, read and edited over the API."""
