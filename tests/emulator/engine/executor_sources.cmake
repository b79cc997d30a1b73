# owned by the executor part of the engine
